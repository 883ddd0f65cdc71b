package org.platewarden.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllowedMethodsTest {
    @Test
    void aPathGetsTheMethodsOfEveryPatternItMatches() {
        AllowedMethods allowed = new AllowedMethods()
                .add("/v1/holds", List.of("POST"))
                .add("/v1/holds", List.of("GET"))
                .add("/v1/holds/:hold_id", List.of("DELETE"))
                .add("/v1/holds/:hold_id/extend", List.of("POST"));
        assertEquals("GET, POST", allowed.allowFor("/v1/holds"));
        assertEquals("DELETE", allowed.allowFor("/v1/holds/H-1"));
        assertEquals("POST", allowed.allowFor("/v1/holds/H-1/extend"));
        assertNull(allowed.allowFor("/v1/holds/"), "an empty segment is no hold id");
        assertNull(allowed.allowFor("/v1/nothing"));
    }
}
