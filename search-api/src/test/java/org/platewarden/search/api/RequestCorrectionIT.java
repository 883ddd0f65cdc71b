package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.audit.AuditEsSupport.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.AuditEsSupport;
import org.platewarden.search.audit.AuditJournal;
import org.platewarden.search.audit.AuditUnavailableException;
import org.platewarden.search.audit.AuditVerifier;
import org.platewarden.search.audit.CanonicalJson;
import org.platewarden.search.audit.ChainedAuditLog;

/**
 * The probe's case for every audited route but the search ({@code AuditIndexBlockedIT} has that one),
 * against real Elasticsearch and the real chained log: the audit index blocked for writes, a request
 * is answered 503 (fail closed: the report not sent, the hold not created) — but its record reached
 * the journal, and once the block is lifted it is re-sent to the index, where it says "allowed". The
 * trail must then say what the caller really got: a {@code request_correction} (failed, 503, no reads)
 * naming it follows it in the chain, in the index as in the journal, also when the node restarts right
 * after the 503; auditors can filter on it, it changes no transparency figure, and the chain verifies.
 * And a change that fails after its intent is on the record has its failure record in the trail
 * even when that record's first write leaves it in neither copy.
 */
class RequestCorrectionIT {
    private static final String SUPERVISOR = "demo-dpd-supervisor";
    private static final String AUDITOR = "demo-dpd-auditor";
    private static final String OPS = "demo-dpd-ops";

    @TempDir
    Path dataDir;
    ApiStack api;

    @AfterEach
    void stop() {
        if (api != null) api.close();
    }

    /** An audited route, the request sent to it, and what the stand-ins must show when it was refused. */
    enum Route {
        HOLD_CREATE("hold_create", (api, holdId) -> api.sendJson(api.client.post("/v1/holds"), SUPERVISOR, hold("CORR-CREATE"))),
        HOLD_EXTEND("hold_extend", (api, holdId) -> api.sendJson(api.client.post("/v1/holds/" + holdId + "/extend"), SUPERVISOR,
                new JsonObject().put("purpose", "homicide").put("reason", "still needed").put("until", Instant.now().plusSeconds(3 * 86_400).toString()))),
        HOLD_RELEASE("hold_release", (api, holdId) -> api.send(api.client.delete("/v1/holds/" + holdId), SUPERVISOR)),
        HOLD_LIST("hold_list", (api, holdId) -> api.send(api.client.get("/v1/holds"), SUPERVISOR)),
        AUDIT_JSON("audit_read", (api, holdId) -> api.send(api.client.get("/v1/audit?case_number=CORR-HOLD"), AUDITOR)),
        AUDIT_CSV("audit_read", (api, holdId) -> api.send(api.client.get("/v1/audit?format=csv&case_number=CORR-HOLD"), AUDITOR)),
        AUDIT_VERIFY("audit_verify", (api, holdId) -> api.send(api.client.get("/v1/audit/verify"), AUDITOR)),
        OPS_INDICES("ops_indices", (api, holdId) -> api.send(api.client.get("/v1/ops/indices"), OPS)),
        RETENTION_RUN("retention_run", (api, holdId) -> api.send(api.client.post("/v1/ops/retention/run"), OPS)),
        COMPACTION_RUN("compaction_run", (api, holdId) -> api.send(api.client.post("/v1/ops/compaction/run"), OPS));

        final String action;
        final BiFunction<ApiStack, String, HttpResponse<Buffer>> request;

        Route(String action, BiFunction<ApiStack, String, HttpResponse<Buffer>> request) {
            this.action = action;
            this.request = request;
        }

        boolean ofAHold() {
            return action.startsWith("hold_") && !action.equals("hold_list");
        }
    }

    private static JsonObject hold(String caseNumber) {
        return new JsonObject().put("purpose", "homicide").put("case_number", caseNumber).put("plate", "ABC1234")
                .put("reason", "suspect vehicle").put("until", Instant.now().plusSeconds(86_400).toString());
    }

    private ApiStack stack(boolean overlapSteps) {
        return new ApiStack(dataDir, null, prefix -> { }, new JsonObject().put("audit_overlap_steps", overlapSteps));
    }

    private void blockAuditWrites(boolean blocked) {
        AuditEsSupport.call(api.es.rest(), "PUT", "/" + api.config.auditIndex() + "/_settings", "{\"index.blocks.write\":" + blocked + "}");
    }

    /** Every record of the trail, by seq (one node). */
    private List<JsonObject> records() {
        return api.auditRecords("{\"match_all\":{}}").stream().map(o -> (JsonObject) o).toList();
    }

    /** A hold to extend or release, and one the audit report's records are of. */
    private String existingHold() {
        HttpResponse<Buffer> created = api.sendJson(api.client.post("/v1/holds"), SUPERVISOR, hold("CORR-HOLD"));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        return created.bodyAsJsonObject().getString("hold_id");
    }

    /** The request, with the audit index blocked: answered 503 without an audit id. */
    private void refusedWhileBlocked(Route route, String holdId) {
        HttpResponse<Buffer> refused;
        blockAuditWrites(true);
        try {
            refused = route.request.apply(api, holdId);
        } finally {
            blockAuditWrites(false);
        }
        assertEquals(503, refused.statusCode(), refused.bodyAsString());
        assertEquals("audit trail unavailable", refused.bodyAsJsonObject().getString("error"));
        assertNull(refused.bodyAsJsonObject().getValue("audit_id"));
        assertNull(refused.getHeader("X-Audit-Id"));
    }

    static Stream<Arguments> routes() {
        Stream<Arguments> all = Stream.of(Route.values()).map(r -> Arguments.of(r, true));
        // the journal written first (a batch, or after a journal failure), as AuditIndexBlockedIT does for searches
        return Stream.concat(all, Stream.of(Arguments.of(Route.HOLD_CREATE, false), Arguments.of(Route.AUDIT_JSON, false)));
    }

    @ParameterizedTest(name = "{0}, overlap_steps={1}")
    @MethodSource("routes")
    void aRequestAnswered503AfterItsRecordWasJournaledIsCorrectedInTheTrail(Route route, boolean overlapSteps) {
        api = stack(overlapSteps);
        String holdId = existingHold();
        int before = records().size();
        refusedWhileBlocked(route, holdId);
        // the next request re-sends what the index lacks before its own record
        assertEquals(200, api.send(api.client.get("/v1/holds"), SUPERVISOR).statusCode());
        JsonObject corrected = assertTrailTellsTheTruth(route, before);
        nothingWasDone(route, holdId, corrected);
        assertVerifies();
    }

    static Stream<Arguments> restarted() {
        return Stream.of(Route.HOLD_CREATE, Route.AUDIT_JSON, Route.AUDIT_CSV).flatMap(r -> Stream.of(Arguments.of(r, true), Arguments.of(r, false)));
    }

    /** The correction is journaled before the 503 leaves: a restart right after it re-sends both to the index. */
    @ParameterizedTest(name = "{0}, overlap_steps={1}")
    @MethodSource("restarted")
    void theCorrectionIsInTheJournalBeforeThe503Leaves(Route route, boolean overlapSteps) {
        api = stack(overlapSteps);
        String holdId = existingHold();
        int before = records().size();
        blockAuditWrites(true);
        try {
            HttpResponse<Buffer> refused = route.request.apply(api, holdId);
            assertEquals(503, refused.statusCode(), refused.bodyAsString());
            api.stopServer();
            api.auditLog.close(); // stopped before another record: nothing was re-sent from memory
        } finally {
            blockAuditWrites(false);
        }
        ChainedAuditLog restarted = await(ChainedAuditLog.open(api.vertx, api.config, api.es.rest(), new SimpleMeterRegistry()));
        restarted.close();
        JsonObject corrected = assertTrailTellsTheTruth(route, before);
        nothingWasDone(route, holdId, corrected);
        assertVerifies();
    }

    /** Auditors find the correction by its action, in JSON and CSV; the public figures count searches only. */
    @Test
    void auditorsFilterOnTheCorrectionAndNoPublicFigureCountsIt() {
        api = stack(true);
        String holdId = existingHold();
        int before = records().size();
        refusedWhileBlocked(Route.HOLD_CREATE, holdId);
        assertEquals(200, api.send(api.client.get("/v1/holds"), SUPERVISOR).statusCode());
        JsonObject intent = assertTrailTellsTheTruth(Route.HOLD_CREATE, before);

        HttpResponse<Buffer> report = api.send(api.client.get("/v1/audit?action=request_correction"), AUDITOR);
        assertEquals(200, report.statusCode(), report.bodyAsString());
        JsonArray found = report.bodyAsJsonObject().getJsonArray("records");
        assertEquals(1, found.size(), found.encodePrettily());
        assertEquals(intent.getString("audit_id"), found.getJsonObject(0).getJsonObject("query").getString("corrects"));
        // by case number, the intent and its correction together
        HttpResponse<Buffer> byCase = api.send(api.client.get("/v1/audit?case_number=CORR-CREATE"), AUDITOR);
        assertEquals(List.of("hold_create", "request_correction"), byCase.bodyAsJsonObject().getJsonArray("records").stream()
                .map(r -> ((JsonObject) r).getString("action")).toList());
        HttpResponse<Buffer> csv = api.send(api.client.get("/v1/audit?format=csv&action=request_correction"), AUDITOR);
        assertEquals(200, csv.statusCode(), csv.bodyAsString());
        List<String> lines = csv.bodyAsString().lines().toList();
        assertEquals(2, lines.size(), csv.bodyAsString());
        assertTrue(lines.get(1).contains("request_correction") && lines.get(1).contains(intent.getString("audit_id")), lines.get(1));

        JsonObject searches = api.send(api.client.get("/v1/transparency"), null).bodyAsJsonObject().getJsonObject("searches");
        assertEquals(0L, searches.getLong("total"), searches.encode());
        assertEquals(new JsonObject(), searches.getJsonObject("by_outcome"), searches.encode());
        assertEquals(0L, searches.getLong("unauthenticated_requests"), searches.encode());
        assertVerifies();
    }

    /**
     * A hold creation that fails after its intent was written, while the audit index refuses writes
     * and another record waits to be re-sent to it: the failure record's first write reaches neither
     * copy (the log re-sends the waiting record before it takes a new one, and that fails), and the
     * intent would say, alone, that the hold was made. It is written as a record the trail owes, with
     * the 503 the caller got.
     */
    @Test
    void aChangeThatFailsAfterItsIntentHasItsFailureRecordWhenTheTrailIsDown() {
        api = stack(true);
        existingHold(); // the audit index exists
        int before = records().size();
        api.beforeCreateFails = this::blockedWithARecordWaiting;
        HttpResponse<Buffer> failed;
        try {
            failed = api.sendJson(api.client.post("/v1/holds"), SUPERVISOR,
                    hold("CORR-FAIL").put("reason", ApiStack.FAILS_AFTER_INTENT));
        } finally {
            blockAuditWrites(false);
        }
        assertEquals(503, failed.statusCode(), failed.bodyAsString());
        assertEquals(200, api.send(api.client.get("/v1/holds"), SUPERVISOR).statusCode());
        List<JsonObject> records = records().subList(before, records().size());
        List<JsonObject> create = records.stream().filter(r -> "hold_create".equals(r.getString("action"))).toList();
        assertEquals(2, create.size(), "the intent and its failure: " + records);
        JsonObject intent = create.get(0);
        JsonObject failure = create.get(1);
        assertEquals("allowed", intent.getString("outcome"));
        assertEquals("failed", failure.getString("outcome"));
        assertEquals(503, failure.getInteger("status"), "the status the caller got");
        assertTrue(failure.getString("reason").startsWith("the change recorded as audit " + intent.getString("audit_id") + " failed: "),
                failure.getString("reason"));
        assertEquals(intent.getJsonObject("query").getString("hold_id"), failure.getJsonObject("query").getString("hold_id"));
        assertEquals("CORR-FAIL", failure.getString("case_number"));
        assertVerifies();
    }

    /**
     * The hold is made and its hold_copy record — what it kept — cannot be written: the audit index
     * refuses writes and another record waits to be re-sent to it, so the write reaches neither copy.
     * The hold stands (its copies made), the answer is a 503 naming it so it is not created again, and
     * the record is owed: written once the trail takes records again, its reason saying it came after
     * the answer; no failure record says the creation failed, and the chain verifies.
     */
    @Test
    void aHoldWhoseCopyRecordCannotBeWrittenStandsAndTheRecordIsOwed() {
        api = stack(true);
        existingHold(); // the audit index exists
        int before = records().size();
        api.beforeCopyRecorded = this::blockedWithARecordWaiting;
        HttpResponse<Buffer> answer;
        try {
            answer = api.sendJson(api.client.post("/v1/holds"), SUPERVISOR, hold("CORR-COPY").putNull("plate")
                    .put("read_ids", new JsonArray().add("r-2").add("r-1")));
        } finally {
            blockAuditWrites(false);
            api.beforeCopyRecorded = () -> Future.succeededFuture();
        }
        assertEquals(503, answer.statusCode(), answer.bodyAsString());
        String error = answer.bodyAsJsonObject().getString("error");
        String holdId = api.holds.keySet().stream().filter(id -> error.contains(id)).findFirst()
                .orElseThrow(() -> new AssertionError("the 503 names the hold it created: " + error));
        assertTrue(error.contains("do not create the hold again"), error);
        assertEquals(200, api.send(api.client.get("/v1/holds"), SUPERVISOR).statusCode());

        List<JsonObject> records = records().subList(before, records().size());
        List<JsonObject> ofHold = records.stream().filter(r -> r.getJsonObject("query") != null
                && holdId.equals(r.getJsonObject("query").getString("hold_id"))).toList();
        assertEquals(List.of("hold_create", "hold_copy"), ofHold.stream().map(r -> r.getString("action")).toList(),
                "the creation and what it kept, no failure: " + records);
        JsonObject copy = ofHold.get(1);
        assertEquals("allowed", copy.getString("outcome"));
        assertEquals(2, copy.getInteger("hit_count"));
        assertEquals(new JsonArray().add("r-1").add("r-2"), copy.getJsonArray("read_ids"));
        assertEquals("CORR-COPY", copy.getString("case_number"));
        assertTrue(copy.getString("reason").endsWith("(answered 503: this record could not be written before the answer)"), copy.getString("reason"));
        assertVerifies();
    }

    /**
     * Blocks the audit index for writes and leaves another request's record journaled and refused by
     * it, waiting to be re-sent: the next record's first write then reaches neither copy (the log
     * re-sends the waiting record before it takes a new one, and that fails).
     */
    private Future<Void> blockedWithARecordWaiting() {
        blockAuditWrites(true);
        AuditEntry other = new AuditEntry("hold_list", "dpd.supervisor", "DPD", Set.of("supervisor"), null, null,
                CanonicalJson.MAPPER.createObjectNode(), "127.0.0.1", "allowed", null, 200, 0, List.of());
        return api.auditLog.record(other).<Void>mapEmpty().recover(e -> {
            assertTrue(e instanceof AuditUnavailableException u && u.recordedAs() != null, e.toString());
            return Future.succeededFuture();
        });
    }

    /**
     * The route's record (allowed) is in the index, and a request_correction naming it follows it: what
     * the probe found for searches, for this route. Returns the corrected record.
     */
    private JsonObject assertTrailTellsTheTruth(Route route, int before) {
        List<JsonObject> all = records();
        for (int i = 0; i < all.size(); i++) assertEquals(i + 1, all.get(i).getLong("seq"), "seqs dense: " + all);
        List<JsonObject> records = all.subList(before, all.size());
        assertTrue(records.size() >= 2, "the refused request's record and its correction: " + records);
        JsonObject corrected = records.get(0);
        assertEquals(route.action, corrected.getString("action"), records.toString());
        assertEquals("allowed", corrected.getString("outcome"), "what the probe found: the record says it was done or shown");
        String auditId = corrected.getString("audit_id");
        JsonObject correction = records.get(1);
        assertEquals("request_correction", correction.getString("action"), "the correction follows it: " + records);
        JsonObject query = correction.getJsonObject("query");
        assertEquals(auditId, query.getString("corrects"));
        assertEquals(route.action, query.getString("corrects_action"));
        assertEquals("failed", correction.getString("outcome"));
        assertEquals(503, correction.getInteger("status"));
        assertEquals(0, correction.getJsonArray("read_ids", new JsonArray()).size());
        assertTrue(correction.getString("reason").contains(auditId), correction.getString("reason"));
        assertTrue(correction.getString("reason").contains("answered 503"), correction.getString("reason"));
        for (String field : List.of("user", "agency", "client_address", "auth_method")) {
            assertEquals(corrected.getValue(field), correction.getValue(field), field);
        }
        assertEquals(corrected.getValue("case_number"), correction.getValue("case_number"), "an auditor who follows a case finds it");
        if (route.ofAHold()) {
            assertNotNull(corrected.getJsonObject("query").getString("hold_id"));
            assertEquals(corrected.getJsonObject("query").getString("hold_id"), query.getString("hold_id"), "joined on the hold's id");
        }
        return corrected;
    }

    /** The stand-in hold service was not asked to make the change the corrected record names. */
    private void nothingWasDone(Route route, String holdId, JsonObject corrected) {
        switch (route) {
            case HOLD_CREATE -> assertFalse(api.holds.containsKey(corrected.getJsonObject("query").getString("hold_id")), "no hold was created");
            case HOLD_RELEASE -> assertFalse(api.holds.get(holdId).getBoolean("released", false), "the hold was not released");
            case HOLD_EXTEND -> assertFalse(api.holds.get(holdId).getString("until").equals(corrected.getJsonObject("query").getString("until")),
                    "the hold was not extended");
            default -> { }
        }
    }

    private void assertVerifies() {
        org.platewarden.search.audit.VerifyResult result;
        try {
            result = new AuditVerifier(api.es.rest(), api.config.auditIndex(),
                AuditJournal.pathFor(api.config.dataPath(), api.config.nodeId()), api.config.nodeId(), 50).verify();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertTrue(result.ok(), "the chain verifies, journal against index: " + result.toJson());
    }
}
