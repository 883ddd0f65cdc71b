package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NoQueryStringTest {
    @Test
    void namesEachParameterOnceDecodedAndSorted() {
        assertEquals(List.of("dry_run"), NoQueryString.names("dry_run=true"));
        assertEquals(List.of("a", "b", "flag"), NoQueryString.names("b=1&a=2&a=3&flag"));
        assertEquals(List.of("dry run", "dry_run"), NoQueryString.names("dry%5Frun=1;dry+run=2"));
        // empty names are no names; a malformed escape is named as sent; a control character is shown as ?
        assertEquals(List.of(), NoQueryString.names("&&=x"));
        assertEquals(List.of("%zz"), NoQueryString.names("%zz=1"));
        assertEquals(List.of("a?b"), NoQueryString.names("a%0Ab=1"));
    }

    @Test
    void boundsWhatItNames() {
        assertEquals("x".repeat(NoQueryString.MAX_NAME_CHARS) + "…", NoQueryString.names("x".repeat(500)).get(0));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 25; i++) many.append("p").append((char) ('a' + i)).append("=1&");
        List<String> names = NoQueryString.names(many.toString());
        assertEquals(NoQueryString.MAX_NAMES + 1, names.size());
        assertEquals("and 15 more", names.get(NoQueryString.MAX_NAMES));
    }

    @Test
    void theRefusalSaysWhereOptionsGo() {
        assertEquals("unknown query parameter dry_run: POST /v1/ops/retention/run takes no query parameters; it takes no options",
                NoQueryString.refusal("POST /v1/ops/retention/run", "it takes no options", "dry_run=true"));
        assertEquals("unknown query parameters a, b: POST /v1/search takes no query parameters; its fields go in the JSON body",
                NoQueryString.refusal("POST /v1/search", "its fields go in the JSON body", "b&a"));
        assertEquals("unknown query string: GET /v1/holds takes no query parameters; it takes no options",
                NoQueryString.refusal("GET /v1/holds", "it takes no options", "&"));
    }
}
