package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * The holds endpoints as an auditor reads them, on a search node with the real hold service and
 * Elasticsearch: a refused creation or release leaves exactly one record with its real outcome, a
 * hold's creation and release records are joined by {@code query.hold_id}, and each error answer
 * names its record.
 */
class HoldsAuditIT {
    private static final String SUPERVISOR = "Bearer demo-dpd-supervisor";
    private static final String AUDITOR = "Bearer demo-dpd-auditor";
    private static final String FED_SUPERVISOR = "Bearer it-fed-supervisor";
    private static final String ACSO_SUPERVISOR = "Bearer it-acso-supervisor";
    /** an auditor of an agency without oversight */
    private static final String ACSO_AUDITOR = "Bearer it-acso-auditor";
    @TempDir
    static Path dataDir;
    private static PlatewardenNode node;
    private static String prefix;

    @BeforeAll
    static void start() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("holdaudit");
        PlatewardenConfig demo = PlatewardenConfig.demoConfig().with("""
                {"node_id":"holdaudit","data_dir":"%s","index_prefix":"%s","search":{"host":"127.0.0.1","port":0}}"""
                .formatted(dataDir.toString().replace("\\", "/"), prefix));
        // the demo has no supervisor at FED, the agency that sees no reads
        com.fasterxml.jackson.databind.node.ObjectNode tree = demo.toTree();
        String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(FED_SUPERVISOR.substring("Bearer ".length()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        tree.withArray("tokens").addObject().put("user", "fed.supervisor").put("agency", "FED").put("token_sha256", sha256)
                .putArray("roles").add("supervisor");
        String acsoSha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(ACSO_SUPERVISOR.substring("Bearer ".length()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        tree.withArray("tokens").addObject().put("user", "acso.supervisor").put("agency", "ACSO").put("token_sha256", acsoSha256)
                .putArray("roles").add("supervisor");
        String acsoAuditorSha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(ACSO_AUDITOR.substring("Bearer ".length()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        tree.withArray("tokens").addObject().put("user", "acso.auditor").put("agency", "ACSO").put("token_sha256", acsoAuditorSha256)
                .putArray("roles").add("auditor");
        PlatewardenConfig config = PlatewardenConfig.fromTree(tree);
        node = new PlatewardenNode(config, EnumSet.of(Role.SEARCH)).start(ElasticsearchFixture.url(), 0);
    }

    @AfterAll
    static void stop() {
        if (node != null) node.close();
        ElasticsearchFixture.deletePrefix(prefix);
    }

    private static String holdBody(String caseNumber, String reason, Instant until) {
        JsonObject body = new JsonObject().put("purpose", "homicide").put("case_number", caseNumber).put("plate", "HLD 4242");
        if (reason != null) body.put("reason", reason);
        if (until != null) body.put("until", until.toString());
        return body.encode();
    }

    /** The records of one action an auditor gets from GET /v1/audit, oldest first. */
    private static List<JsonObject> records(String action) throws Exception {
        HttpResponse<String> r = send("GET", "/v1/audit?action=" + action + "&limit=1000", AUDITOR, null);
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body()).getJsonArray("records").stream().map(o -> (JsonObject) o).toList();
    }

    private static List<JsonObject> creations(String caseNumber) throws Exception {
        return records("hold_create").stream().filter(r -> caseNumber.equals(r.getString("case_number"))).toList();
    }

    private static List<JsonObject> releases(String holdId) throws Exception {
        return records("hold_release").stream().filter(r -> holdId.equals(r.getJsonObject("query").getString("hold_id"))).toList();
    }

    @Test
    void anInvalidCreationIsOneInvalidRecordNamedByTheAnswer() throws Exception {
        Instant future = Instant.now().plus(30, ChronoUnit.DAYS);
        String[][] cases = {
                {"HA-NO-REASON", holdBody("HA-NO-REASON", null, future), "reason"},
                {"HA-PAST", holdBody("HA-PAST", "suspect vehicle", Instant.now().minus(1, ChronoUnit.DAYS)), "not in the future"},
                {"HA-NO-UNTIL", holdBody("HA-NO-UNTIL", "suspect vehicle", null), "until"},
                {"HA-OWN-ID", new JsonObject(holdBody("HA-OWN-ID", "suspect vehicle", future)).put("hold_id", "hold-mine").encode(), "hold_id"},
                // a date-time in a form a read's captured_at may not take (java.time would read it)
                {"HA-UNTIL-FORM", new JsonObject(holdBody("HA-UNTIL-FORM", "suspect vehicle", null)).put("until", "2027-01-31T00:00:00.Z").encode(),
                        "until '2027-01-31T00:00:00.Z' is not an ISO-8601 date-time"},
                {"HA-FROM-FORM", new JsonObject(holdBody("HA-FROM-FORM", "suspect vehicle", future)).put("from", "2026-11-20T00:00:00+00:00:00")
                        .encode(), "from '2026-11-20T00:00:00+00:00:00' is not an ISO-8601 date-time"},
                // refused by what only the reads can tell: checked before the creation is recorded, too
                {"HA-NO-SUCH-READ", new JsonObject(holdBody("HA-NO-SUCH-READ", "suspect vehicle", future)).put("plate", (String) null)
                        .put("read_ids", new io.vertx.core.json.JsonArray().add("no-such-read")).encode(), "match no read"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = send("POST", "/v1/holds", SUPERVISOR, c[1]);
            assertEquals(400, r.statusCode(), c[0] + ": " + r.body());
            JsonObject answer = new JsonObject(r.body());
            assertTrue(answer.getString("error").contains(c[2]), answer.encode());
            List<JsonObject> records = creations(c[0]);
            assertEquals(1, records.size(), c[0] + ": " + records);
            assertEquals("invalid", records.get(0).getString("outcome"));
            assertEquals(400, records.get(0).getInteger("status"));
            assertEquals(records.get(0).getString("audit_id"), answer.getString("audit_id"));
        }
    }

    @Test
    void anAgencyThatSeesNoReadsIsRefusedAHoldAsItIsASearch() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/holds", FED_SUPERVISOR, holdBody("HA-FED", "suspect vehicle", Instant.now().plus(30, ChronoUnit.DAYS)));
        assertEquals(403, r.statusCode(), r.body());
        JsonObject answer = new JsonObject(r.body());
        assertTrue(answer.getString("error").contains("may not see any reads"), answer.encode());
        List<JsonObject> records = creations("HA-FED");
        assertEquals(1, records.size(), records.toString());
        assertEquals("refused", records.get(0).getString("outcome"));
        assertEquals(403, records.get(0).getInteger("status"));
        assertEquals(records.get(0).getString("audit_id"), answer.getString("audit_id"));
    }

    @Test
    void releasingAnUnknownHoldIsOne404Record() throws Exception {
        HttpResponse<String> r = send("DELETE", "/v1/holds/hold-nope", SUPERVISOR, null);
        assertEquals(404, r.statusCode(), r.body());
        List<JsonObject> records = releases("hold-nope");
        assertEquals(1, records.size(), records.toString());
        assertEquals(404, records.get(0).getInteger("status"));
        assertEquals(records.get(0).getString("audit_id"), new JsonObject(r.body()).getString("audit_id"));
    }

    @Test
    void aHoldsCreationAndReleaseAreJoinedByItsId() throws Exception {
        HttpResponse<String> created = send("POST", "/v1/holds", SUPERVISOR,
                holdBody("HA-JOIN", "suspect vehicle", Instant.now().plus(30, ChronoUnit.DAYS)));
        assertEquals(201, created.statusCode(), created.body());
        String holdId = new JsonObject(created.body()).getString("hold_id");
        assertNotNull(holdId);
        List<JsonObject> creation = creations("HA-JOIN");
        assertEquals(1, creation.size(), creation.toString());
        assertEquals("allowed", creation.get(0).getString("outcome"));
        assertEquals(holdId, creation.get(0).getJsonObject("query").getString("hold_id"));

        HttpResponse<String> released = send("DELETE", "/v1/holds/" + holdId, SUPERVISOR, null);
        assertEquals(200, released.statusCode(), released.body());
        List<JsonObject> release = releases(holdId);
        assertEquals(1, release.size(), release.toString());
        assertEquals("allowed", release.get(0).getString("outcome"));
        assertEquals("HA-JOIN", new JsonObject(released.body()).getString("case_number"));
    }

    @Test
    void aRoleRefusalAndA401NameTheirRecords() throws Exception {
        HttpResponse<String> refused = send("POST", "/v1/search", AUDITOR,
                "{\"plate\":\"ABC1234\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"HA-ROLE\"}");
        assertEquals(403, refused.statusCode(), refused.body());
        String refusalId = new JsonObject(refused.body()).getString("audit_id");
        assertNotNull(refusalId, refused.body());
        HttpResponse<String> anonymous = send("GET", "/v1/holds", null, null);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        String anonymousId = new JsonObject(anonymous.body()).getString("audit_id");
        assertNotNull(anonymousId, anonymous.body());
        assertTrue(records("search").stream().anyMatch(r -> refusalId.equals(r.getString("audit_id")) && "refused".equals(r.getString("outcome"))));
        assertTrue(records("hold_list").stream().anyMatch(r -> anonymousId.equals(r.getString("audit_id")) && r.getInteger("status") == 401));
    }

    @Test
    void anExtensionIsRecordedBeforeItIsMadeAndARefusedOneLeavesOneRecord() throws Exception {
        HttpResponse<String> tooLong = send("POST", "/v1/holds", SUPERVISOR,
                holdBody("HA-TOO-LONG", "suspect vehicle", Instant.now().plus(400, ChronoUnit.DAYS)));
        assertEquals(400, tooLong.statusCode(), tooLong.body());
        assertTrue(new JsonObject(tooLong.body()).getString("error").contains("hold_max_days"), tooLong.body());

        Instant until = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        HttpResponse<String> created = send("POST", "/v1/holds", SUPERVISOR, holdBody("HA-EXTEND", "suspect vehicle", until));
        assertEquals(201, created.statusCode(), created.body());
        String holdId = new JsonObject(created.body()).getString("hold_id");

        Instant later = until.plus(200, ChronoUnit.DAYS);
        String extension = new JsonObject().put("purpose", "homicide").put("reason", "trial date set").put("until", later.toString()).encode();
        HttpResponse<String> extended = send("POST", "/v1/holds/" + holdId + "/extend", SUPERVISOR, extension);
        assertEquals(200, extended.statusCode(), extended.body());
        assertEquals(later, Instant.parse(new JsonObject(extended.body()).getString("until")));
        HttpResponse<String> listed = send("GET", "/v1/holds", SUPERVISOR, null);
        assertTrue(new JsonObject(listed.body()).getJsonArray("holds").stream().map(JsonObject.class::cast)
                .anyMatch(h -> holdId.equals(h.getString("hold_id")) && later.equals(Instant.parse(h.getString("until")))), listed.body());

        List<JsonObject> records = extensions(holdId);
        assertEquals(1, records.size(), records.toString());
        JsonObject record = records.get(0);
        assertEquals("allowed", record.getString("outcome"));
        assertEquals("dpd.supervisor", record.getString("user"));
        assertEquals("homicide", record.getString("purpose"));
        assertEquals("HA-EXTEND", record.getString("case_number"), "the hold's case, so an auditor finds every renewal under it");
        assertEquals("trial date set", record.getJsonObject("query").getString("reason"));
        assertEquals(later.toString(), record.getJsonObject("query").getString("until"));

        // refused without a change, each with one record naming its real outcome
        String[][] refusals = {
                {new JsonObject(extension).encode(), "not later than", "400"},
                {new JsonObject(extension).put("until", Instant.now().plus(400, ChronoUnit.DAYS).toString()).encode(), "hold_max_days", "400"},
                {new JsonObject(extension).put("until", "soon").encode(), "until", "400"},
                {new JsonObject(extension).put("until", later.plus(1, ChronoUnit.DAYS).toString().replace("Z", "+15:00")).encode(),
                        "beyond ±14:00", "400"},
                {new JsonObject(extension).put("case_number", "OTHER").encode(), "case_number", "400"},
                {new JsonObject(extension).put("until", later.plus(1, ChronoUnit.DAYS).toString()).putNull("reason").encode(), "reason", "400"},
                {new JsonObject(extension).put("until", later.plus(1, ChronoUnit.DAYS).toString()).put("purpose", "personal").encode(), "prohibited", "403"},
                {"not json", "not valid JSON", "400"},
                {"{\"purpose\":\"personal\",\"purpose\":\"homicide\",\"reason\":\"x\",\"until\":\"" + later.plus(2, ChronoUnit.DAYS) + "\"}",
                        "appears more than once", "400"},
        };
        for (String[] c : refusals) {
            HttpResponse<String> r = send("POST", "/v1/holds/" + holdId + "/extend", SUPERVISOR, c[0]);
            assertEquals(Integer.parseInt(c[2]), r.statusCode(), c[0] + ": " + r.body());
            JsonObject answer = new JsonObject(r.body());
            assertTrue(answer.getString("error").contains(c[1]), c[0] + ": " + answer.encode());
            JsonObject last = extensions(holdId).stream().filter(e -> answer.getString("audit_id").equals(e.getString("audit_id")))
                    .findFirst().orElseThrow(() -> new AssertionError("no record named by " + answer.encode()));
            assertEquals(Integer.parseInt(c[2]), last.getInteger("status"));
            assertEquals("HA-EXTEND", last.getString("case_number"), "the hold's case, not one the body claims: " + c[0]);
        }
        assertEquals(1 + refusals.length, extensions(holdId).size(), "one record per request, none for a change not made");
        HttpResponse<String> unknown = send("POST", "/v1/holds/hold-nope/extend", SUPERVISOR, extension);
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals(1, extensions("hold-nope").size());
        HttpResponse<String> investigator = send("POST", "/v1/holds/" + holdId + "/extend", "Bearer demo-dpd-investigator", extension);
        assertEquals(403, investigator.statusCode(), "only a supervisor extends a hold: " + investigator.body());
        String refusedId = new JsonObject(investigator.body()).getString("audit_id");
        assertTrue(extensions(holdId).stream().anyMatch(r -> refusedId.equals(r.getString("audit_id"))),
                "refused before its handler, the record still names the hold it was aimed at");

        HttpResponse<String> released = send("DELETE", "/v1/holds/" + holdId, SUPERVISOR, null);
        assertEquals(200, released.statusCode(), released.body());
        assertEquals("HA-EXTEND", releases(holdId).get(0).getString("case_number"));
    }

    /**
     * Holds are the one exception to retention, and the auditor checks that retention is honoured:
     * an auditor lists every agency's holds (audited, read-only), each with its state — an until
     * passed that the hourly pass has not released yet is "expired, release pending", not just
     * "released": false.
     */
    @Test
    void anAuditorListsEveryAgencysHoldsWithTheirState() throws Exception {
        Instant month = Instant.now().plus(30, ChronoUnit.DAYS);
        Instant soon = Instant.now().plusSeconds(5);
        String dpd = holdId(send("POST", "/v1/holds", SUPERVISOR, holdBody("HA-AUD-DPD", "suspect vehicle", month)));
        String acso = holdId(send("POST", "/v1/holds", ACSO_SUPERVISOR, holdBody("HA-AUD-ACSO", "suspect vehicle", month)));
        String ending = holdId(send("POST", "/v1/holds", SUPERVISOR, holdBody("HA-AUD-SOON", "suspect vehicle", soon)));
        String released = holdId(send("POST", "/v1/holds", SUPERVISOR, holdBody("HA-AUD-REL", "suspect vehicle", month)));
        assertEquals(200, send("DELETE", "/v1/holds/" + released, SUPERVISOR, null).statusCode());
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), soon).toMillis()) + 500);

        HttpResponse<String> listed = send("GET", "/v1/holds", AUDITOR, null);
        assertEquals(200, listed.statusCode(), listed.body());
        java.util.Map<String, JsonObject> byId = new java.util.HashMap<>();
        new JsonObject(listed.body()).getJsonArray("holds").forEach(h -> byId.put(((JsonObject) h).getString("hold_id"), (JsonObject) h));
        assertEquals("ACSO", byId.get(acso).getString("agency"), "every agency's holds: " + listed.body());
        assertEquals("active", byId.get(acso).getString("state"));
        assertEquals("active", byId.get(dpd).getString("state"));
        assertEquals("expired, release pending", byId.get(ending).getString("state"));
        assertEquals(false, byId.get(ending).getBoolean("released"));
        assertEquals("released", byId.get(released).getString("state"));
        String auditId = listed.headers().firstValue("X-Audit-Id").orElseThrow();
        JsonObject record = records("hold_list").stream().filter(r -> auditId.equals(r.getString("audit_id"))).findFirst().orElseThrow();
        assertEquals("dpd.auditor", record.getString("user"));
        assertEquals(byId.size(), record.getInteger("hit_count"));

        // an auditor of an agency without oversight lists its own agency's holds only
        HttpResponse<String> acsoListed = send("GET", "/v1/holds", ACSO_AUDITOR, null);
        assertEquals(200, acsoListed.statusCode(), acsoListed.body());
        List<String> acsoSees = new JsonObject(acsoListed.body()).getJsonArray("holds").stream().map(JsonObject.class::cast)
                .map(h -> h.getString("hold_id")).toList();
        assertTrue(acsoSees.contains(acso) && !acsoSees.contains(dpd), acsoListed.body());

        // a supervisor still sees its own agency's only; an auditor changes nothing
        HttpResponse<String> own = send("GET", "/v1/holds", SUPERVISOR, null);
        assertTrue(new JsonObject(own.body()).getJsonArray("holds").stream().map(JsonObject.class::cast)
                .noneMatch(h -> acso.equals(h.getString("hold_id"))), own.body());
        assertEquals(403, send("POST", "/v1/holds", AUDITOR, holdBody("HA-AUD-NO", "suspect vehicle", month)).statusCode());
        assertEquals(403, send("DELETE", "/v1/holds/" + acso, AUDITOR, null).statusCode());
        assertEquals(403, send("POST", "/v1/holds/" + acso + "/extend", AUDITOR, new JsonObject().put("purpose", "homicide")
                .put("reason", "x").put("until", month.plus(1, ChronoUnit.DAYS).toString()).encode()).statusCode());

        // ops retention-run releases ended holds too, each release recorded as the hourly pass's
        HttpResponse<String> run = send("POST", "/v1/ops/retention/run", "Bearer demo-dpd-ops", null);
        assertEquals(200, run.statusCode(), run.body());
        assertTrue(new JsonObject(run.body()).getJsonArray("holds_released").contains(ending), run.body());
        JsonObject after = new JsonObject(send("GET", "/v1/holds", AUDITOR, null).body()).getJsonArray("holds").stream()
                .map(JsonObject.class::cast).filter(h -> ending.equals(h.getString("hold_id"))).findFirst().orElseThrow();
        assertEquals("released", after.getString("state"), after.encode());
        assertEquals("platewarden:until-passed", after.getString("released_by"));
        assertEquals(1, releases(ending).size(), releases(ending).toString());
    }

    /** Stores a read of DPD's camera in its daily index, as the indexer would. */
    private static void storeRead(String readId, String plate, Instant at) throws Exception {
        StoredReads.store(prefix, readId, plate, at);
    }

    /**
     * With the real hold service: the creation's record names no read (it is written before the
     * copy), and the hold_copy record after it names every read the hold kept, by read id, under the
     * hold's id and case; the chain verifies. The release's record later names the same reads.
     */
    @Test
    void whatAHoldKeptIsInTheChain() throws Exception {
        Instant at = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        List<String> readIds = List.of("cam-001:kpt-1", "cam-001:kpt-2", "cam-001:kpt-3");
        for (int i = 0; i < readIds.size(); i++) storeRead(readIds.get(i), "KPT 4711", at.plusSeconds(i));
        storeRead("cam-001:kpt-other", "KPT 4712", at);

        HttpResponse<String> created = send("POST", "/v1/holds", SUPERVISOR, new JsonObject().put("purpose", "homicide")
                .put("case_number", "HA-KEPT").put("plate", "KPT 4711").put("reason", "suspect vehicle")
                .put("until", Instant.now().plus(30, ChronoUnit.DAYS).toString()).encode());
        String holdId = holdId(created);
        assertEquals(3, new JsonObject(created.body()).getInteger("read_count"));
        JsonObject creation = creations("HA-KEPT").get(0);
        assertEquals(0, creation.getInteger("hit_count"), "recorded before any read was copied");

        List<JsonObject> copies = records("hold_copy").stream().filter(r -> holdId.equals(r.getJsonObject("query").getString("hold_id"))).toList();
        assertEquals(1, copies.size(), copies.toString());
        JsonObject copy = copies.get(0);
        assertEquals("HA-KEPT", copy.getString("case_number"));
        assertEquals("dpd.supervisor", copy.getString("user"));
        assertEquals("allowed", copy.getString("outcome"));
        assertEquals(3, copy.getInteger("hit_count"));
        assertEquals(readIds, copy.getJsonArray("read_ids").stream().map(String::valueOf).toList());
        assertTrue(copy.getLong("seq") > creation.getLong("seq"));

        assertEquals(200, send("DELETE", "/v1/holds/" + holdId, SUPERVISOR, null).statusCode());
        assertEquals(readIds, releases(holdId).get(0).getJsonArray("read_ids").stream().map(String::valueOf).toList(),
                "the release deletes what the creation kept");
        HttpResponse<String> verify = send("GET", "/v1/audit/verify", AUDITOR, null);
        assertEquals(200, verify.statusCode(), verify.body());
        assertEquals(true, new JsonObject(verify.body()).getBoolean("ok"), verify.body());
    }

    private static String holdId(HttpResponse<String> created) {
        assertEquals(201, created.statusCode(), created.body());
        return new JsonObject(created.body()).getString("hold_id");
    }

    private static List<JsonObject> extensions(String holdId) throws Exception {
        return records("hold_extend").stream().filter(r -> holdId.equals(r.getJsonObject("query").getString("hold_id"))).toList();
    }

    private static HttpResponse<String> send(String method, String path, String authorization, String json) throws Exception {
        return SearchApiRequests.send(node, method, path, authorization, json);
    }
}
