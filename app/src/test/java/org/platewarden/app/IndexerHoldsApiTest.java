package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.platewarden.indexer.holds.HoldRequest;

/**
 * A hold's from, to and until are read with the grammar of a read's captured_at (as a search's from
 * and to are), not with Jackson's date parsing, which also takes epoch numbers and java.time's wider
 * forms.
 */
class IndexerHoldsApiTest {
    private static JsonObject hold() {
        return new JsonObject().put("purpose", "homicide").put("case_number", "C-1").put("reason", "suspect vehicle").put("plate", "ABC1234");
    }

    @Test
    void theGrammarsFormsAreReadAsTheInstantsTheyDenote() {
        HoldRequest req = IndexerHoldsApi.holdRequest(hold().put("from", "2026-11-20 00:00:00,5+0100").put("to", "2026-11-21T00:00Z")
                .put("until", "2027-01-31T00:00:00-05"));
        assertEquals(Instant.parse("2026-11-19T23:00:00.500Z"), req.from());
        assertEquals(Instant.parse("2026-11-21T00:00:00Z"), req.to());
        assertEquals(Instant.parse("2027-01-31T05:00:00Z"), req.until());
        HoldRequest open = IndexerHoldsApi.holdRequest(hold());
        assertNull(open.from());
        assertNull(open.until());
        assertEquals(Instant.parse("2027-01-31T05:00:00Z"),
                IndexerHoldsApi.extensionUntil(new JsonObject().put("purpose", "homicide").put("reason", "trial").put("until", "2027-01-31T00:00:00-0500")));
    }

    @Test
    void theRestIsRefusedNamingTheFieldAndTheForm() {
        for (String field : new String[] {"from", "to", "until"}) {
            String message = assertThrows(IllegalArgumentException.class,
                    () -> IndexerHoldsApi.holdRequest(hold().put(field, "2027-01-31T00:00:00.Z"))).getMessage();
            assertTrue(message.startsWith(field + " '2027-01-31T00:00:00.Z' is not an ISO-8601 date-time"), message);
            // an epoch number, which Jackson would have read as seconds
            message = assertThrows(IllegalArgumentException.class, () -> IndexerHoldsApi.holdRequest(hold().put(field, 1798761600))).getMessage();
            assertTrue(message.startsWith(field + " must be a string"), message);
        }
        String message = assertThrows(IllegalArgumentException.class, () -> IndexerHoldsApi.extensionUntil(
                new JsonObject().put("purpose", "homicide").put("reason", "trial").put("until", "2027-01-31T00:00:00+00:00:00"))).getMessage();
        assertTrue(message.endsWith("an offset has no seconds"), message);
    }

    /** Refused in the words a search's fields are, not Jackson's (which named Java classes), and a number is no plate or read id. */
    @Test
    void unknownFieldsAndWrongTypesAreRefusedInPlainWords() {
        String[][] cases = {
                {"extra", "1", "unknown field 'extra' (known fields: "},
                {"read_id", "\"cam-001:1\"", "unknown field 'read_id' (did you mean 'read_ids'?)"},
                {"plate", "123", "plate must be a string"},
                {"reason", "[\"r\"]", "reason must be a string"},
                {"case_number", "7", "case_number must be a string"},
                {"read_ids", "\"cam-001:1\"", "read_ids must be an array of read ids (strings)"},
                {"read_ids", "[1,2]", "read_ids must be an array of read ids (strings)"}};
        for (String[] c : cases) {
            JsonObject body = hold();
            if (c[0].equals("read_ids")) body.remove("plate");
            body.put(c[0], io.vertx.core.json.Json.decodeValue(c[1]));
            String message = assertThrows(IllegalArgumentException.class, () -> IndexerHoldsApi.holdRequest(body)).getMessage();
            assertTrue(message.startsWith(c[2]), c[0] + "=" + c[1] + " → " + message);
            assertTrue(!message.contains("org.platewarden") && !message.contains("java.util"), message);
        }
        assertEquals(java.util.List.of("cam-001:1"), IndexerHoldsApi.holdRequest(hold().put("read_ids", new io.vertx.core.json.JsonArray().add("cam-001:1"))).readIds());
    }
}
