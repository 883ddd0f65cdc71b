package org.platewarden.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonReadItemsTest {

    private static List<IngestItem> parse(String json, int maxItems) {
        return JsonReadItems.parse(json.getBytes(StandardCharsets.UTF_8), maxItems);
    }

    private static JsonReadItems.Problem problem(String json, int maxItems) {
        return assertThrows(JsonReadItems.MalformedPayloadException.class, () -> parse(json, maxItems)).problem();
    }

    @Test
    void eachItemKeepsExactlyTheBytesItCameFromForItsDeadLetter() {
        // multi-byte characters before and inside items: the kept range is in bytes, not chars
        String first = "{\"plate\":\"ÄÖ 1\",\"note\":\"日本\"}";
        String second = "{ \"camera_id\" : \"cam-𝄞\" ,\n  \"plate\": \"Z\" }";
        String body = "  [ " + first + " ,\n\t" + second + " , 42, \"é\", [1, {\"a\":[]}], null ]  ";
        List<IngestItem> items = parse(body, 100);
        assertEquals(6, items.size());
        assertEquals(first, items.get(0).payloadText());
        assertEquals(second, items.get(1).payloadText());
        assertEquals("42", items.get(2).payloadText());
        assertEquals("\"é\"", items.get(3).payloadText());
        assertEquals("[1,{\"a\":[]}]", items.get(4).payloadText());
        assertEquals("null", items.get(5).payloadText());
        assertTrue(items.get(0).read().isObject());
        for (int i = 2; i < 6; i++) assertFalse(items.get(i).read().isObject(), "item " + i);
    }

    @Test
    void aSingleObjectIsOneItem() {
        String read = "{\"camera_id\":\"cam-001\"}";
        List<IngestItem> items = parse("\n" + read + "\n", 1);
        assertEquals(1, items.size());
        assertEquals(read, items.get(0).payloadText());
    }

    @Test
    void aPayloadThatIsNotOneJsonObjectOrArrayIsRefusedWhole() {
        assertEquals(JsonReadItems.Problem.EMPTY, problem("", 10));
        assertEquals(JsonReadItems.Problem.EMPTY, problem(" \r\n\t", 10));
        assertEquals(JsonReadItems.Problem.NOT_OBJECT_OR_ARRAY, problem("42", 10));
        assertEquals(JsonReadItems.Problem.NOT_OBJECT_OR_ARRAY, problem("\"read\"", 10));
        assertEquals(JsonReadItems.Problem.NOT_JSON, problem("{\"a\":1} junk", 10));
        assertEquals(JsonReadItems.Problem.NOT_JSON, problem("{\"a\":1} {\"b\":2}", 10));
        assertEquals(JsonReadItems.Problem.NOT_JSON, problem("42 43", 10));
        // a syntax error after good items still refuses the payload: nothing is half-taken
        assertEquals(JsonReadItems.Problem.NOT_JSON, problem("[{\"a\":1},{\"b\":]", 10));
        assertEquals(JsonReadItems.Problem.NOT_JSON, problem("[{\"a\":1}", 10));
        assertEquals(JsonReadItems.Problem.NOT_JSON, problem("[{\"a\":{\"x\":tru}}]", 10));
    }

    /**
     * What a camera is told of a body that is not JSON names no Jackson option and no Jackson
     * internals: the probe found "start marker at [Source: REDACTED (`StreamReadFeature.
     * INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1]" and "enable
     * `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow" in 400s, reason strings and dead letters.
     */
    @Test
    void aParseErrorIsToldInTheCamerasTermsNotJacksons() {
        assertEquals("Unexpected end-of-input: expected close marker for Array (start marker at line 1, column 1)", notJson("[1,2"));
        assertEquals("Unexpected close marker '}': expected ']' (for Array starting at line 1, column 6)", notJson("{\"a\":[1,2}"));
        assertEquals("Non-standard token 'NaN'", notJson("{\"a\":NaN}"));
        assertEquals("Unexpected character ('+' (code 43)) in numeric value: JSON spec does not allow numbers to have plus signs",
                notJson("{\"a\":+1}"));
        assertEquals("Unexpected character ('/' (code 47)): maybe a (non-standard) comment?", notJson("{/*c*/\"a\":1}"));
        assertEquals("Unrecognized character escape 'q' (code 113)", notJson("{\"a\":\"\\q\"}"), "a plain one is kept as it is");
    }

    private static String notJson(String payload) {
        JsonReadItems.MalformedPayloadException e = assertThrows(JsonReadItems.MalformedPayloadException.class,
                () -> JsonReadItems.parse(payload.getBytes(StandardCharsets.UTF_8), 10));
        assertEquals(JsonReadItems.Problem.NOT_JSON, e.problem());
        return e.getMessage();
    }

    @Test
    void tooManyItemsIsRefusedAsSoonAsTheLimitIsPassed() {
        assertEquals(3, parse("[{},{},{}]", 3).size());
        assertEquals(JsonReadItems.Problem.TOO_MANY, problem("[{},{},{},{}]", 3));
        // found before the rest of the body is read, even if the rest is broken
        assertEquals(JsonReadItems.Problem.TOO_MANY, problem("[{},{},{},{}, this is not JSON", 3));
    }

    @Test
    void anNdjsonLineIsOneValueOrAParseError() throws Exception {
        assertEquals("{\"plate\":\"X\"}", JsonReadItems.parseLine("{\"plate\":\"X\"}").payloadText());
        assertFalse(JsonReadItems.parseLine("[1]").read().isObject());
        assertThrows(JsonProcessingException.class, () -> JsonReadItems.parseLine("{\"plate\":\"X\"} trailing"));
        assertThrows(JsonProcessingException.class, () -> JsonReadItems.parseLine("{\"plate\":\"X\"} {}"));
        assertThrows(JsonProcessingException.class, () -> JsonReadItems.parseLine("{\"plate\":"));
    }
}
