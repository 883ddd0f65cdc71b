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

    /** The date-time grammar of a search's window and a hold's times (DateTimeField), not Instant.parse's. */
    @Test
    void fromAndToTakeTheSearchesDateTimeGrammar() {
        assertEquals(java.time.Instant.parse("2026-11-20T00:00:00Z"), AuditQuery.fromParams(params("from", "2026-11-20T01:00:00+01:00")).from());
        assertEquals(java.time.Instant.parse("2026-11-20T00:00:00.500Z"), AuditQuery.fromParams(params("to", "2026-11-20T00:00:00,5Z")).to());
        assertEquals(java.time.Instant.parse("2026-11-20T00:00:00Z"), AuditQuery.fromParams(params("from", "2026-11-20T00:00Z")).from());
        assertTrue(refusal("from", "2026-11-20T00:00:00.Z").startsWith("from '2026-11-20T00:00:00.Z' is not an ISO-8601 date-time"));
        assertTrue(refusal("to", "2026-12-31T23:59:60Z").startsWith("to '2026-12-31T23:59:60Z' is not an ISO-8601 date-time"));
        assertTrue(refusal("to", "yesterday").contains(org.platewarden.core.read.DateTimeField.FORM));
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

    /** Agency and purpose are found in the spellings a search's are checked in; order=desc pages newest first. */
    @Test
    void agencyAndPurposeAreFoldedAndOrderDescSortsNewestFirst() {
        org.platewarden.core.config.PlatewardenConfig demo = org.platewarden.core.config.PlatewardenConfig.demoConfig();
        java.util.List<String> agencies = demo.agencies().stream().map(a -> a.id()).toList();
        AuditQuery q = AuditQuery.fromParams(params("agency", "acso", "purpose", "Immigration-Enforcement"), demo.search(), agencies);
        assertEquals("ACSO", q.agency());
        String body = q.searchBody().toString();
        assertTrue(body.contains("{\"term\":{\"agency\":\"ACSO\"}}"), body);
        assertTrue(body.contains("{\"terms\":{\"purpose\":[\"immigration_enforcement\",\"Immigration-Enforcement\"]}}"), body);
        assertEquals(java.util.List.of("stolen_vehicle", "Stolen Vehicle"),
                AuditQuery.fromParams(params("purpose", "Stolen Vehicle"), demo.search(), agencies).purposeSpellings());
        assertEquals(java.util.List.of("stalking someone"),
                AuditQuery.fromParams(params("purpose", "stalking someone", "agency", "nope"), demo.search(), agencies).purposeSpellings());
        assertEquals("nope", AuditQuery.fromParams(params("agency", "nope"), demo.search(), agencies).agency());

        String desc = AuditQuery.fromParams(params("order", "desc")).searchBody().path("sort").toString();
        // the audit id breaks a tie of two records at one time, node and seq (a forged second one), so a page break cannot skip one
        assertEquals("[{\"at\":\"desc\"},{\"node_id\":\"desc\"},{\"seq\":\"desc\"},{\"audit_id\":\"desc\"}]", desc);
        assertEquals("[{\"at\":\"asc\"},{\"node_id\":\"asc\"},{\"seq\":\"asc\"},{\"audit_id\":\"asc\"}]",
                AuditQuery.fromParams(params()).searchBody().path("sort").toString());
        assertTrue(refusal("order", "sideways").startsWith("order must be asc"));
    }

    /** A stored read id is up to 512 characters (camera id, ':', the camera's id of up to 256): the filter takes it. */
    @Test
    void filtersTakeTheLongestValuesARecordHolds() {
        String longReadId = "cam-001:" + "r".repeat(300);
        assertEquals(longReadId, AuditQuery.fromParams(params("read_id", longReadId)).describe().path("read_id").asText());
        String user = "u".repeat(1024) + "…[2000 chars]";
        assertEquals(user, AuditQuery.fromParams(params("user", user)).describe().path("user").asText());
        assertEquals("read_id is longer than 1100 characters", refusal("read_id", "r".repeat(1101)));
    }
}
