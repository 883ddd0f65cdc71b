package org.platewarden.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.testkit.ElasticsearchFixture;

/** Against the shared real Elasticsearch node: the templates are accepted and do what they promise. */
class TemplateInstallerIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static ElasticsearchConnection es;
    private static String prefix;
    private static TemplateInstaller installer;

    @BeforeAll
    static void connect() {
        es = new ElasticsearchConnection(ElasticsearchFixture.url());
        prefix = ElasticsearchFixture.uniquePrefix("tpl");
        installer = new TemplateInstaller(es.rest(), new TemplateResources(prefix, 21));
    }

    @AfterAll
    static void cleanUp() {
        ElasticsearchFixture.deletePrefix(prefix);
        ElasticsearchFixture.deletePrefix(prefix + "-fresh");
        es.close();
    }

    @Test
    void installIsIdempotentAndReportsTheRetentionMechanism() {
        // its own prefix: the other tests install under the class prefix in any order
        TemplateInstaller installer = new TemplateInstaller(es.rest(), new TemplateResources(prefix + "-fresh", 21));
        assertFalse(installer.installed());
        InstallReport first = installer.install();
        InstallReport second = installer.install();
        assertTrue(installer.installed());
        assertEquals(first.retention(), second.retention());
        assertEquals(installer.ilmAvailable() ? RetentionMechanism.ILM : RetentionMechanism.SWEEPER, first.retention());
        assertTrue(first.clusterVersion().startsWith("8."), first.clusterVersion());
    }

    @Test
    void dailyIndexGetsTheStrictReadMapping() throws IOException {
        installer.install();
        String index = prefix + "-reads-2026.11.22";
        put("/" + index + "/_doc/r1?refresh=true", """
                {"read_id":"r1","camera_id":"cam-001","agency":"DPD","captured_at":"2026-11-22T14:03:07.123Z",
                 "received_at":"2026-11-22T14:03:08Z","plate":"ABC 1234","plate_norm":"ABC1234","plate_ocr":"A8C1234",
                 "plate_grams":["A","AB"],"plate_dels":["A8C1234","8C1234"],"plate_confidence":0.93,"region":"US-CO",
                 "location":{"lat":39.7392,"lon":-104.9903},"heading_deg":270,"lane":2,
                 "vehicle":{"make":"toyota","model":"camry","color":"silver","type":"sedan"},
                 "image_ref":"https://camera-17.local/crops/1.jpg","source":"http"}""");
        JsonNode mapping = get("/" + index + "/_mapping").path(index).path("mappings");
        assertEquals("strict", mapping.path("dynamic").asText());
        assertEquals("geo_point", mapping.path("properties").path("location").path("type").asText());
        ResponseException e = assertThrows(ResponseException.class,
                () -> put("/" + index + "/_doc/r2", "{\"read_id\":\"r2\",\"surprise\":1}"));
        assertTrue(e.getMessage().contains("strict_dynamic_mapping_exception"), e.getMessage());
        JsonNode settings = get("/" + index + "/_settings").path(index).path("settings").path("index");
        assertEquals("captured_at", settings.path("sort").path("field").asText());
        if (installer.ilmAvailable()) {
            assertEquals(prefix + "-reads-retention", settings.path("lifecycle").path("name").asText());
            assertEquals("true", settings.path("lifecycle").path("parse_origination_date").asText());
        } else {
            assertTrue(settings.path("lifecycle").isMissingNode(), "no lifecycle settings without ILM");
        }
    }

    @Test
    void auditAndHoldsIndicesGetTheirMappingsAndNoLifecycle() throws IOException {
        installer.install();
        put("/" + prefix + "-audit/_doc/a1?refresh=true", """
                {"audit_id":"a1","seq":1,"at":"2026-11-22T14:03:07Z","user":"u","outcome":"allowed",
                 "query":{"plate":"AB?1*","anything":{"nested":true}},"prev_hash":"0","hash":"x"}""");
        put("/" + prefix + "-holds/_doc/h1?refresh=true", """
                {"read_id":"r1","camera_id":"cam-001","agency":"DPD","captured_at":"2026-11-22T14:03:07Z","plate":"ABC1234",
                 "hold":{"hold_id":"h1","case_number":"DPD-1","reason":"r","agency":"DPD","created_by":"s",
                 "created_at":"2026-11-22T15:00:00Z","until":"2027-01-01T00:00:00Z"}}""");
        for (String index : new String[] {prefix + "-audit", prefix + "-holds"}) {
            JsonNode settings = get("/" + index + "/_settings").path(index).path("settings").path("index");
            assertTrue(settings.path("lifecycle").isMissingNode(), index + " must never get a lifecycle policy");
            assertEquals("strict", get("/" + index + "/_mapping").path(index).path("mappings").path("dynamic").asText());
        }
    }

    /**
     * An audit index is never deleted, so a node upgraded to a version whose records carry
     * {@code request_count} keeps an index created by an older template; install() adds the field to
     * it, and the old records stay as they are.
     */
    @Test
    void installAddsNewAuditFieldsToAnAuditIndexCreatedByAnOlderTemplate() throws IOException {
        String old = prefix + "-upgraded";
        TemplateInstaller upgraded = new TemplateInstaller(es.rest(), new TemplateResources(old, 21));
        // the audit index as the template before request_count made it: strict, without the field
        ObjectNode template = (ObjectNode) MAPPER.readTree(new TemplateResources(old, 21).load(TemplateResources.AUDIT_TEMPLATE));
        ObjectNode oldMappings = (ObjectNode) template.path("template").path("mappings").deepCopy();
        assertFalse(((ObjectNode) oldMappings.path("properties")).remove("request_count") == null, "the template has request_count");
        put("/" + old + "-audit", "{\"mappings\":" + MAPPER.writeValueAsString(oldMappings) + "}");
        put("/" + old + "-audit/_doc/a1?refresh=true", """
                {"audit_id":"a1","seq":1,"at":"2026-11-22T14:03:07Z","user":"u","outcome":"allowed","prev_hash":"0","hash":"x"}""");
        ResponseException refused = assertThrows(ResponseException.class, () -> put("/" + old + "-audit/_doc/a2",
                "{\"audit_id\":\"a2\",\"seq\":2,\"request_count\":7}"));
        assertTrue(refused.getMessage().contains("strict_dynamic_mapping_exception"), refused.getMessage());
        try {
            InstallReport report = upgraded.install();
            assertTrue(report.applied().contains("mappings of the existing " + old + "-audit index"), report.applied().toString());
            JsonNode mapping = get("/" + old + "-audit/_mapping").path(old + "-audit").path("mappings");
            assertEquals("long", mapping.path("properties").path("request_count").path("type").asText());
            assertEquals("strict", mapping.path("dynamic").asText());
            put("/" + old + "-audit/_doc/a2?refresh=true", """
                    {"audit_id":"a2","seq":2,"at":"2026-11-22T14:04:07Z","user":"anonymous","action":"anonymous_summary",
                     "outcome":"unauthorized","request_count":7,"prev_hash":"x","hash":"y"}""");
            JsonNode sum = post("/" + old + "-audit/_search", "{\"size\":0,\"aggs\":{\"n\":{\"sum\":{\"field\":\"request_count\"}}}}");
            assertEquals(7.0, sum.path("aggregations").path("n").path("value").asDouble());
            assertEquals(2, sum.path("hits").path("total").path("value").asInt(), "the old record is still there");
            // again: nothing changes, and a prefix without an audit index gets none
            assertTrue(upgraded.install().applied().contains("mappings of the existing " + old + "-audit index"));
            assertFalse(new TemplateInstaller(es.rest(), new TemplateResources(old + "-none", 21)).install().applied().stream()
                    .anyMatch(a -> a.startsWith("mappings")));
            assertEquals(404, es.rest().performRequest(headRequest("/" + old + "-none-audit")).getStatusLine().getStatusCode(),
                    "no audit index is created by the mapping update");
        } finally {
            ElasticsearchFixture.deletePrefix(old);
            ElasticsearchFixture.deletePrefix(old + "-none");
        }
    }

    /**
     * A holds-meta index is never rolled over either: one created before hold definitions carried the
     * release claim gets {@code hold.release_claim} from install(), so search nodes can claim a release.
     */
    @Test
    void installAddsTheReleaseClaimToAHoldsIndexCreatedByAnOlderTemplate() throws IOException {
        String old = prefix + "-oldholds";
        put("/" + old + "-holds-meta", """
                {"mappings":{"dynamic":"strict","properties":{"hold":{"properties":{"hold_id":{"type":"keyword"},"until":{"type":"date"}}}}}}""");
        try {
            InstallReport report = new TemplateInstaller(es.rest(), new TemplateResources(old, 21)).install();
            assertTrue(report.applied().contains("mappings of the existing " + old + "-holds indices"), report.applied().toString());
            JsonNode claim = get("/" + old + "-holds-meta/_mapping").path(old + "-holds-meta").path("mappings").path("properties")
                    .path("hold").path("properties").path("release_claim").path("properties");
            assertEquals("keyword", claim.path("node_id").path("type").asText());
            assertEquals("date", claim.path("claimed_at").path("type").asText());
            put("/" + old + "-holds-meta/_doc/h1?refresh=true", """
                    {"hold":{"hold_id":"h1","until":"2026-11-22T00:00:00Z","release_claim":{"node_id":"n1","token":"t","claimed_at":"2026-11-23T00:00:00Z"}}}""");
        } finally {
            ElasticsearchFixture.deletePrefix(old);
        }
    }

    private static Request headRequest(String path) {
        Request r = new Request("HEAD", path);
        r.addParameter("ignore", "404");
        return r;
    }

    private static JsonNode post(String path, String json) throws IOException {
        Request r = new Request("POST", path);
        r.setEntity(new NStringEntity(json, ContentType.APPLICATION_JSON));
        return MAPPER.readTree(es.rest().performRequest(r).getEntity().getContent());
    }

    @Test
    void retentionPolicyIsAcceptedWhereTheClusterHasIlm() throws IOException {
        Assumptions.assumeTrue(installer.ilmAvailable(),
                "this cluster has no ILM (the embedded integ-test distribution); the sweeper enforces retention here. "
                        + "Run with ES_URL pointing at a default-distribution node to exercise this test.");
        installer.install();
        JsonNode policy = get("/_ilm/policy/" + prefix + "-reads-retention").path(prefix + "-reads-retention").path("policy");
        assertEquals("21d", policy.path("phases").path("delete").path("min_age").asText());
    }

    private static void put(String path, String json) throws IOException {
        Request r = new Request("PUT", path);
        r.setEntity(new NStringEntity(json, ContentType.APPLICATION_JSON));
        es.rest().performRequest(r);
    }

    private static JsonNode get(String path) throws IOException {
        return MAPPER.readTree(es.rest().performRequest(new Request("GET", path)).getEntity().getContent());
    }
}
