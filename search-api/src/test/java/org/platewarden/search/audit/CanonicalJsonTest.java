package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

    @Test
    void sortsKeysRecursivelyWithoutWhitespace() {
        var node = CanonicalJson.parse("{ \"b\": 1, \"a\": {\"z\": [ {\"y\":2, \"x\":1} ], \"c\": \"é\"} }");
        assertEquals("{\"a\":{\"c\":\"é\",\"z\":[{\"x\":1,\"y\":2}]},\"b\":1}", CanonicalJson.write(node));
    }

    @Test
    void hashIsSha256OfTheCanonicalUtf8Bytes() {
        // echo -n '{"a":"é","b":1}' | sha256sum
        var node = CanonicalJson.parse("{\"b\":1,\"a\":\"é\"}");
        assertEquals("aa58fba8483623bed37c1b02edfccbdd9a53123837c20bfa4cb4049993a2872e", CanonicalJson.sha256Hex(node));
    }

    @Test
    void sealedDocumentVerifiesAfterARoundTripAndNotAfterAnEdit() {
        AuditEntry entry = new AuditEntry("search", "dpd.investigator", "DPD", Set.of("investigator", "auditor"), "stolen_vehicle",
                "DPD-1", CanonicalJson.parse("{\"plate\":\"AB?12*\",\"max_edits\":1,\"score\":1.0e0,\"nested\":{\"b\":1,\"a\":[1,2]}}"),
                "10.0.0.1", "allowed", null, 200, 2, List.of("r1", "r2"));
        ObjectNode doc = AuditDocument.seal(entry, "id-1", 1, Instant.parse("2026-01-01T00:00:00.123456Z"), "node-1", AuditDocument.GENESIS_HASH);
        assertEquals("2026-01-01T00:00:00.123Z", doc.get("at").asText());
        assertEquals("[\"auditor\",\"investigator\"]", doc.get("roles").toString());
        // what Elasticsearch hands back is the text we sent, re-parsed
        ObjectNode reread = (ObjectNode) CanonicalJson.parse(CanonicalJson.write(doc));
        assertEquals(doc.get("hash").asText(), AuditDocument.hashOf(reread));
        reread.put("purpose", "personal");
        assertNotEquals(doc.get("hash").asText(), AuditDocument.hashOf(reread));
    }
}
