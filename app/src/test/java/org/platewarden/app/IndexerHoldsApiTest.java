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
}
