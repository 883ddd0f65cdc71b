package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditEntryTest {
    private static AuditEntry of(String user, String agency) {
        return new AuditEntry("search", user, agency, Set.of(), null, null, null, "127.0.0.1", "unauthorized", null, 401, 0, List.of());
    }

    @Test
    void anEntryIsAnonymousOnlyWhenItNamesNoAuthenticatedCaller() {
        assertTrue(AuditEsSupport.anonymousEntry(1).anonymous());
        assertTrue(of(null, null).anonymous());
        assertFalse(AuditEsSupport.entry(1).anonymous());
        // a JWT's sub may be any string; an authenticated caller always has an agency
        assertFalse(of(AuditEntry.ANONYMOUS, "DPD").anonymous());
    }

    /** How the caller authenticated is sealed into the record; a record without one hashes as records did before the field. */
    @Test
    void theAuthMethodIsSealedAndReadBackAndLeftOutWhenNone() {
        java.time.Instant at = java.time.Instant.parse("2026-11-24T12:00:00Z");
        var jwt = AuditDocument.seal(of("jane", "DPD").withAuthMethod("jwt"), "a1", 1, at, "n", AuditDocument.GENESIS_HASH);
        org.junit.jupiter.api.Assertions.assertEquals("jwt", jwt.path("auth_method").asText());
        org.junit.jupiter.api.Assertions.assertEquals("jwt", AuditDocument.toRecord(jwt).entry().authMethod());
        org.junit.jupiter.api.Assertions.assertEquals(AuditDocument.hashOf(jwt), jwt.path("hash").asText());
        var none = AuditDocument.seal(of(null, null), "a2", 1, at, "n", AuditDocument.GENESIS_HASH);
        assertFalse(none.has("auth_method"), none.toString());
    }

    /** A forwarded client's proxy is sealed and read back; a direct client's record has no proxy field (hashes as before). */
    @Test
    void theProxyAddressIsSealedAndReadBackAndLeftOutForADirectClient() {
        java.time.Instant at = java.time.Instant.parse("2026-11-24T12:00:00Z");
        var forwarded = AuditDocument.seal(of("jane", "DPD").from(new ClientAddress("203.0.113.9", "10.0.0.2")), "a1", 1, at, "n",
                AuditDocument.GENESIS_HASH);
        org.junit.jupiter.api.Assertions.assertEquals("203.0.113.9", forwarded.path("client_address").asText());
        org.junit.jupiter.api.Assertions.assertEquals("10.0.0.2", forwarded.path("proxy_address").asText());
        AuditEntry read = AuditDocument.toRecord(forwarded).entry();
        org.junit.jupiter.api.Assertions.assertEquals(new ClientAddress("203.0.113.9", "10.0.0.2"), new ClientAddress(read.clientAddress(), read.proxyAddress()));
        var direct = AuditDocument.seal(of("jane", "DPD").from(ClientAddress.direct("198.51.100.1")), "a2", 1, at, "n", AuditDocument.GENESIS_HASH);
        assertFalse(direct.has("proxy_address"), direct.toString());
    }

    /** A token holder cannot grow the never-deleted trail by tens of KB per refused request. */
    @Test
    void aRefusedRequestsLargeQueryIsKeptAsItsStartLengthAndHash() {
        java.time.Instant at = java.time.Instant.parse("2026-11-24T12:00:00Z");
        var big = CanonicalJson.MAPPER.createObjectNode().put("plate", "ABC*").put("junk", "x".repeat(60_000));
        AuditEntry refused = new AuditEntry("search", "jane", "DPD", java.util.Set.of("investigator"), "p".repeat(5000), "C-1", big,
                "127.0.0.1", "invalid", "unknown field 'junk'", 400, 0, java.util.List.of());
        var doc = AuditDocument.seal(refused, "a1", 1, at, "n", AuditDocument.GENESIS_HASH);
        org.junit.jupiter.api.Assertions.assertTrue(doc.toString().length() < 8_000, "record of " + doc.toString().length() + " chars");
        var q = doc.path("query");
        org.junit.jupiter.api.Assertions.assertTrue(q.path("truncated").asBoolean());
        org.junit.jupiter.api.Assertions.assertEquals(CanonicalJson.write(big).length(), q.path("body_chars").asInt());
        org.junit.jupiter.api.Assertions.assertEquals(CanonicalJson.sha256Hex(big), q.path("body_sha256").asText());
        org.junit.jupiter.api.Assertions.assertTrue(q.path("body_prefix").asText().startsWith("{\"junk\":\"xxx"), q.path("body_prefix").asText());
        org.junit.jupiter.api.Assertions.assertTrue(doc.path("purpose").asText().endsWith("…[5000 chars]"));
        org.junit.jupiter.api.Assertions.assertEquals(AuditDocument.hashOf(doc), doc.path("hash").asText());
        // an allowed request's query is recorded whole
        var small = CanonicalJson.MAPPER.createObjectNode().put("plate", "ABC*").put("purpose", "robbery");
        AuditEntry allowed = new AuditEntry("search", "jane", "DPD", java.util.Set.of("investigator"), "robbery", "C-1", small,
                "127.0.0.1", "allowed", null, 200, 3, java.util.List.of());
        org.junit.jupiter.api.Assertions.assertEquals(small, AuditDocument.seal(allowed, "a2", 1, at, "n", AuditDocument.GENESIS_HASH).path("query"));
    }

    /**
     * A search's record states the window it searched and its page size (defaults included), beside the
     * body as sent; a record without them is sealed exactly as before the fields existed, so old records verify.
     */
    @Test
    void theSearchedWindowIsSealedAndReadBackAndLeftOutWhenNone() {
        java.time.Instant at = java.time.Instant.parse("2026-11-24T12:00:00Z");
        AuditEntry.Window window = new AuditEntry.Window(java.time.Instant.parse("2026-11-23T12:00:00Z"),
                java.time.Instant.parse("2026-11-24T12:05:00Z"), 100);
        var searched = AuditDocument.seal(of("jane", "DPD").withWindow(window), "a1", 1, at, "n", AuditDocument.GENESIS_HASH);
        org.junit.jupiter.api.Assertions.assertEquals("2026-11-23T12:00:00Z", searched.path("window_from").asText());
        org.junit.jupiter.api.Assertions.assertEquals("2026-11-24T12:05:00Z", searched.path("window_to").asText());
        org.junit.jupiter.api.Assertions.assertEquals(100, searched.path("page_limit").asInt());
        org.junit.jupiter.api.Assertions.assertEquals(window, AuditDocument.toRecord(searched).entry().window());
        org.junit.jupiter.api.Assertions.assertEquals(AuditDocument.hashOf(searched), searched.path("hash").asText());
        var none = AuditDocument.seal(of("jane", "DPD"), "a2", 1, at, "n", AuditDocument.GENESIS_HASH);
        assertFalse(none.has("window_from") || none.has("window_to") || none.has("page_limit"), none.toString());
        assertEquals(null, AuditDocument.toRecord(none).entry().window());
        // the hash this record had before the window fields existed (sealed by the previous version: checked against it)
        assertEquals("1b01b6c5405fb4c06406ff3844ceb92541af707760f9ed048743008a2f6937c5", none.path("hash").asText());
    }
}
