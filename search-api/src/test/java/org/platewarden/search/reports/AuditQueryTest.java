package org.platewarden.search.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;
import org.platewarden.search.audit.AuditVocabulary;

class AuditQueryTest {
    private static MultiMap params(String... pairs) {
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < pairs.length; i += 2) m.add(pairs[i], pairs[i + 1]);
        return m;
    }

    private static String refusal(String... pairs) {
        return assertThrows(IllegalArgumentException.class, () -> AuditQuery.fromParams(params(pairs))).getMessage();
    }

    @Test
    void unknownParametersAreRefusedNamingTheAcceptedOnes() {
        for (String name : new String[] {"after", "next", "search_after", "page", "offset"}) {
            String message = refusal(name, "x");
            assertTrue(message.startsWith("unknown parameter " + name + ";"), message);
            assertTrue(message.contains(String.join(", ", AuditQuery.PARAMETERS)), message);
        }
    }

    @Test
    void closedSetsRefuseValuesOutsideThem() {
        assertTrue(refusal("outcome", "bogus").startsWith("outcome must be one of "));
        assertTrue(refusal("outcome", "Allowed").startsWith("outcome must be one of "), "records hold lower case only");
        assertTrue(refusal("action", "hold_delete").startsWith("action must be one of "));
        assertEquals("format must be json or csv", refusal("format", "xml"));
        assertEquals("outcome is given more than once", refusal("outcome", "allowed", "outcome", "refused"));
    }

    @Test
    void everyKnownValueAndTheOpenFiltersAreAccepted() {
        for (String outcome : AuditVocabulary.OUTCOMES) assertEquals(outcome, AuditQuery.fromParams(params("outcome", outcome)).outcome());
        for (String action : AuditVocabulary.ACTIONS) assertEquals(action, AuditQuery.fromParams(params("action", action)).action());
        AuditQuery q = AuditQuery.fromParams(params("purpose", "anything a refused search named", "agency", "NOPE", "user", "x",
                "format", "CSV", "limit", "5", "from", "2026-01-01T00:00:00Z", "to", "2026-02-01T00:00:00Z"));
        assertEquals("csv", q.format());
        assertEquals(5, q.limit());
    }

    @Test
    void caseClientReadAndNodeFilterExactlyAndAnAddressMatchesEverySpelling() {
        AuditQuery q = AuditQuery.fromParams(params("case_number", "DPD-7", "client_address", "::1", "read_id", "cam-1:42", "node_id", "n1"));
        String body = q.searchBody().toString();
        assertTrue(body.contains("{\"term\":{\"case_number\":\"DPD-7\"}}"), body);
        assertTrue(body.contains("{\"terms\":{\"client_address\":[\"::1\",\"0:0:0:0:0:0:0:1\"]}}"), body);
        assertTrue(body.contains("{\"term\":{\"read_ids\":\"cam-1:42\"}}"), body);
        assertTrue(body.contains("{\"term\":{\"node_id\":\"n1\"}}"), body);
        assertEquals("DPD-7", q.describe().path("case_number").asText(), "the audit_read record names what was asked");
        String other = AuditQuery.fromParams(params("client_address", "not an address")).searchBody().toString();
        assertTrue(other.contains("{\"terms\":{\"client_address\":[\"not an address\"]}}"), other);
    }
}
