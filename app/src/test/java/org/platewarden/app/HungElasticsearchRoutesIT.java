package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.testkit.ElasticsearchFixture;
import org.platewarden.testkit.HangingProxy;

/**
 * Every 8081 route besides the search (the search's own are in search-api's ReadinessIT and
 * SearchDeadlineIT) on a search node whose Elasticsearch hangs — a proxy in front of the shared node
 * that accepts and never answers, as a node stopped with SIGSTOP; the node itself is never touched:
 * audit reports (JSON and CSV) and verify, the transparency report, the holds (create, list,
 * extend, release) and the ops index view each answer 503 with {@code Retry-After} once their
 * Elasticsearch call has waited {@code search.es_request_timeout_ms}, not after the connection's
 * minute (each request here gives up after 30 s), and each audited one leaves a record that says it
 * failed and why. A hold change whose Elasticsearch stops answering after its intent was recorded
 * is answered — and recorded — as one that may have been made. With Elasticsearch down (nothing
 * listening: connections refused) every route answers 503 at once, saying so. A creation whose
 * definition's write was carried out but not answered reads it back and keeps its copies.
 */
class HungElasticsearchRoutesIT {
    private static final String SUPERVISOR = "Bearer demo-dpd-supervisor";
    private static final String AUDITOR = "Bearer demo-dpd-auditor";
    private static final String OPS = "Bearer demo-dpd-ops";
    private static final int REQUEST_TIMEOUT_MS = 1_500;
    private static final int AUDIT_INDEX_TIMEOUT_MS = 1_000;
    private static final String MAY_HAVE_BEEN_MADE = "Elasticsearch did not answer in time while the change was being made:"
            + " it may have been made, in part or in full; look before retrying";
    @TempDir
    static Path dataDir;
    private static HangingProxy proxy;
    private static ElasticsearchConnection direct;
    private static PlatewardenNode node;
    private static String prefix;

    @BeforeAll
    static void start() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("hungroutes");
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("""
                {"node_id":"hungroutes","data_dir":"%s","index_prefix":"%s",
                 "search":{"host":"127.0.0.1","port":0,"es_request_timeout_ms":%d,"audit_index_timeout_ms":%d}}"""
                .formatted(dataDir.toString().replace("\\", "/"), prefix, REQUEST_TIMEOUT_MS, AUDIT_INDEX_TIMEOUT_MS));
        proxy = new HangingProxy(ElasticsearchFixture.url());
        direct = new ElasticsearchConnection(ElasticsearchFixture.url());
        node = new PlatewardenNode(config, EnumSet.of(Role.SEARCH)).start(proxy.url(), 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) node.close();
        if (proxy != null) proxy.close();
        if (direct != null) direct.close();
        ElasticsearchFixture.deletePrefix(prefix);
    }

    @Test
    void everyRouteAnswers503WhenElasticsearchHangsAndItsRecordSaysItFailed() throws Exception {
        String holdId = createdHold("HUNG-ROUTES");
        Instant later = Instant.now().plus(60, ChronoUnit.DAYS);
        String extension = new JsonObject().put("purpose", "homicide").put("reason", "still needed").put("until", later.toString()).encode();

        everyAuditedRoute(holdId, extension, "HUNG-CREATE", HungElasticsearchRoutesIT::assertFailedWhileHung);
        // public and unaudited: the answer only (not asked before, so no report is cached)
        HttpResponse<String> transparency = whileHung("GET", "/v1/transparency", null, null);
        assertEquals(503, transparency.statusCode(), transparency.body());
        assertEquals("1", transparency.headers().firstValue("Retry-After").orElse(null));

        // nothing was changed meanwhile, and every route answers again
        assertEquals(200, send("GET", "/v1/transparency", null, null).statusCode());
        assertEquals(200, send("GET", "/v1/ops/indices", OPS, null).statusCode());
        assertEquals(200, send("POST", "/v1/holds/" + holdId + "/extend", SUPERVISOR, extension).statusCode());
        assertEquals(200, send("DELETE", "/v1/holds/" + holdId, SUPERVISOR, null).statusCode());
        HttpResponse<String> verify = send("GET", "/v1/audit/verify", AUDITOR, null);
        assertEquals(true, new JsonObject(verify.body()).getBoolean("ok"), verify.body());
    }

    /**
     * Elasticsearch down — the proxy stops listening, so every connection is refused, as to a node
     * that exited — is as temporary as one that hangs: every audited route answers 503 with
     * {@code Retry-After} and says Elasticsearch could not be reached, not 500 "internal error". Its
     * record (journaled: the trail's index is unreachable too, so the answer names none) says it
     * failed and why, and reaches the index once Elasticsearch is back.
     */
    @Test
    void everyRouteAnswers503WhenElasticsearchRefusesConnectionsAndItsRecordSaysWhy() throws Exception {
        String holdId = createdHold("DOWN-ROUTES");
        String extension = new JsonObject().put("purpose", "homicide").put("reason", "still needed")
                .put("until", Instant.now().plus(60, ChronoUnit.DAYS).toString()).encode();
        everyAuditedRoute(holdId, extension, "DOWN-CREATE", HungElasticsearchRoutesIT::assertFailedWhileDown);

        // nothing was changed meanwhile: the hold is as it was, and every route answers again
        JsonObject hold = new JsonObject(send("GET", "/v1/holds", SUPERVISOR, null).body()).getJsonArray("holds").stream()
                .map(JsonObject.class::cast).filter(h -> holdId.equals(h.getString("hold_id"))).findFirst().orElseThrow();
        assertEquals("active", hold.getString("state"), hold.encode());
        assertEquals(200, send("DELETE", "/v1/holds/" + holdId, SUPERVISOR, null).statusCode());
        HttpResponse<String> verify = send("GET", "/v1/audit/verify", AUDITOR, null);
        assertEquals(true, new JsonObject(verify.body()).getBoolean("ok"), verify.body());
    }

    /** A check of one audited request: its method, path, token, body (null: none) and the action of its record. */
    @FunctionalInterface
    private interface RouteCheck {
        void check(String method, String path, String token, String body, String action) throws Exception;
    }

    /**
     * Checks every audited route that reads Elasticsearch (audit reports, verify, the holds, the ops
     * index view); the changes act on hold {@code holdId} (an extension with body {@code extension}),
     * a creation asks for case {@code createCase}.
     */
    private static void everyAuditedRoute(String holdId, String extension, String createCase, RouteCheck check) throws Exception {
        check.check("GET", "/v1/audit?action=hold_create", AUDITOR, null, "audit_read");
        check.check("GET", "/v1/audit?action=hold_create&format=csv", AUDITOR, null, "audit_read");
        check.check("GET", "/v1/audit/verify", AUDITOR, null, "audit_verify");
        check.check("POST", "/v1/holds", SUPERVISOR, holdBody(createCase), "hold_create");
        check.check("GET", "/v1/holds", SUPERVISOR, null, "hold_list");
        check.check("POST", "/v1/holds/" + holdId + "/extend", SUPERVISOR, extension, "hold_extend");
        check.check("DELETE", "/v1/holds/" + holdId, SUPERVISOR, null, "hold_release");
        check.check("GET", "/v1/ops/indices", OPS, null, "ops_indices");
    }

    /**
     * Sends the request while nothing listens at Elasticsearch's address: 503 with Retry-After and
     * what happened; its record — failed, 503, the same reason — journaled, reaches the index once
     * Elasticsearch answers again (before the next record).
     */
    private static void assertFailedWhileDown(String method, String path, String token, String body, String action) throws Exception {
        int before = failedRecords(action).size();
        HttpResponse<String> answer;
        proxy.refuse(true);
        try {
            answer = send(method, path, token, body);
        } finally {
            proxy.refuse(false);
        }
        assertEquals(503, answer.statusCode(), method + " " + path + ": " + answer.body());
        assertEquals("1", answer.headers().firstValue("Retry-After").orElse(null), method + " " + path);
        assertEquals(NOT_REACHABLE + "; retry later", new JsonObject(answer.body()).getString("error"), method + " " + path);
        assertEquals(200, send("GET", "/v1/holds", SUPERVISOR, null).statusCode());
        List<JsonObject> failed = failedRecords(action);
        assertEquals(before + 1, failed.size(), method + " " + path + ": " + failed);
        JsonObject record = failed.get(failed.size() - 1);
        assertEquals("failed", record.getString("outcome"), record.encode());
        assertEquals(NOT_REACHABLE, record.getString("reason"), record.encode());
    }

    private static final String NOT_REACHABLE = "Elasticsearch could not be reached (connection refused or not made): the request was not sent";

    /**
     * A creation whose definition's write Elasticsearch carried out without its answer arriving (the
     * proxy forwards the write and swallows the answer): the creation reads the definition back, finds
     * it, and keeps the copies — answered 201 with the hold and its hold_copy record, as any creation,
     * not a hold listed with a read_count whose copies were deleted.
     */
    @Test
    void aHoldWhoseDefinitionWasStoredUnansweredIsCreatedWithItsCopiesAndItsRecord() throws Exception {
        storeReads("UNA 5150", "una");
        int hungBefore = proxy.answersHung();
        HttpResponse<String> created = createLosingTheDefinitionsAnswer("UNANSWERED-STORED", "UNA 5150", false);
        assertEquals(hungBefore + 1, proxy.answersHung(), "the definition's answer was swallowed");
        assertEquals(201, created.statusCode(), created.body());
        JsonObject hold = new JsonObject(created.body());
        String holdId = hold.getString("hold_id");
        assertEquals(2, hold.getLong("read_count"), created.body());
        assertEquals(2, copies(holdId), "the copies are kept");
        List<JsonObject> kept = records("hold_copy").stream().filter(r -> holdId.equals(r.getJsonObject("query").getString("hold_id"))).toList();
        assertEquals(1, kept.size(), kept.toString());
        assertEquals(2, kept.get(0).getInteger("hit_count"), kept.toString());
        assertEquals(0, failedRecords("hold_create").stream().filter(r -> holdId.equals(r.getJsonObject("query").getString("hold_id"))).count());
    }

    /**
     * The same, but Elasticsearch hangs altogether once it took the definition's write: the read-back
     * fails too, so nobody can tell whether the hold exists. Its copies are kept (never evidence that
     * may be referenced), and the answer and the failure record say the hold may exist; it does.
     */
    @Test
    void aHoldWhoseDefinitionCannotBeReadBackKeepsItsCopiesAndSaysItMayExist() throws Exception {
        storeReads("UNK 5150", "unk");
        int createFailures = failedRecords("hold_create").size();
        HttpResponse<String> answer = createLosingTheDefinitionsAnswer("UNANSWERED-UNKNOWN", "UNK 5150", true);
        assertEquals(503, answer.statusCode(), answer.body());
        String error = new JsonObject(answer.body()).getString("error");
        java.util.regex.Matcher named = java.util.regex.Pattern.compile("hold (hold-\\S+) may exist").matcher(error);
        assertTrue(named.find(), error);
        String holdId = named.group(1);
        assertEquals(MAY_HAVE_BEEN_MADE.replace("; look before retrying", "; hold " + holdId + " may exist: its definition's write was not"
                + " answered and could not be read back, so its 2 copies are kept; GET /v1/holds lists it if it exists; look before retrying"), error);
        assertEquals(2, copies(holdId), "the copies are kept");
        HttpResponse<String> listed = send("GET", "/v1/holds", SUPERVISOR, null); // re-sends the journaled record first
        assertTrue(listed.body().contains(holdId), "Elasticsearch stored the definition: the hold exists");
        List<JsonObject> failures = failedRecords("hold_create");
        assertEquals(createFailures + 1, failures.size(), failures.toString());
        String reason = failures.get(failures.size() - 1).getString("reason");
        assertTrue(reason.matches("the change recorded as audit \\S+ may have been made: Elasticsearch did not answer in time; hold "
                + holdId + " may exist: .* its 2 copies are kept; .*"), reason);
    }

    /**
     * Creates a hold of {@code plate} with the proxy forwarding its definition's write and swallowing
     * the answer; {@code thenHangAll}: Elasticsearch hangs altogether from then on, until the answer.
     */
    private static HttpResponse<String> createLosingTheDefinitionsAnswer(String caseNumber, String plate, boolean thenHangAll) throws Exception {
        proxy.hangAnswerOf(line -> line.contains("-holds-meta/_create/"), thenHangAll);
        try {
            return send("POST", "/v1/holds", SUPERVISOR, holdBody(caseNumber, plate));
        } finally {
            proxy.hangAnswerOf(line -> false, false);
            proxy.hang(false);
        }
    }

    private static void storeReads(String plate, String idPrefix) throws Exception {
        Instant at = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
        StoredReads.store(prefix, "cam-001:" + idPrefix + "-1", plate, at);
        StoredReads.store(prefix, "cam-001:" + idPrefix + "-2", plate, at.plusSeconds(1));
    }

    /** How many copies hold {@code holdId} has in the holds index, straight from Elasticsearch. */
    private static long copies(String holdId) throws Exception {
        String index = prefix + "-holds";
        direct.rest().performRequest(new Request("POST", "/" + index + "/_refresh"));
        Request count = new Request("POST", "/" + index + "/_count");
        count.setJsonEntity(new JsonObject().put("query", new JsonObject().put("term", new JsonObject().put("hold.hold_id", holdId))).encode());
        return new JsonObject(new String(direct.rest().performRequest(count).getEntity().getContent().readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8)).getLong("count");
    }

    @Test
    void aHoldChangeWhoseElasticsearchStopsAnsweringAfterItsIntentMayHaveBeenMadeAndSaysSo() throws Exception {
        String holdId = createdHold("HUNG-MIDWAY");
        String extension = new JsonObject().put("purpose", "homicide").put("reason", "still needed")
                .put("until", Instant.now().plus(90, ChronoUnit.DAYS).toString()).encode();
        // the first request that changes the hold's definition hangs; the reads before it and the
        // audit trail's writes go through: the intent is recorded, then the change does not answer
        JsonObject extend = assertMayHaveBeenMade("POST", "/v1/holds/" + holdId + "/extend", extension, "-holds-meta/_update/", "hold_extend");
        assertEquals(holdId, extend.getJsonObject("query").getString("hold_id"));
        JsonObject release = assertMayHaveBeenMade("DELETE", "/v1/holds/" + holdId, null, "-holds-meta/_update/", "hold_release");
        assertEquals(holdId, release.getJsonObject("query").getString("hold_id"));
        JsonObject create = assertMayHaveBeenMade("POST", "/v1/holds", holdBody("HUNG-MIDWAY-2"), "-holds-meta/_create/", "hold_create");
        assertEquals("HUNG-MIDWAY-2", create.getString("case_number"));
        // its definition, looked for, was not there: the hold is listed as a failed creation, so the
        // unanswered write cannot make it later
        String failedId = create.getJsonObject("query").getString("hold_id");
        JsonObject failedHold = new JsonObject(send("GET", "/v1/holds", SUPERVISOR, null).body()).getJsonArray("holds").stream()
                .map(JsonObject.class::cast).filter(h -> failedId.equals(h.getString("hold_id"))).findFirst().orElseThrow();
        assertEquals("released", failedHold.getString("state"), failedHold.encode());
        assertEquals("platewarden:creation-failed", failedHold.getString("released_by"), failedHold.encode());

        // the whole cluster hangs from the change on: the failure's record cannot reach the index
        // either, so the answer names none, but still says what it means; the record, journaled, follows
        proxy.hangAllFrom(line -> line.contains("-holds-meta/_update/"));
        HttpResponse<String> unrecorded;
        try {
            unrecorded = send("DELETE", "/v1/holds/" + holdId, SUPERVISOR, null);
        } finally {
            proxy.hangAllFrom(line -> false);
            proxy.hang(false);
        }
        assertEquals(503, unrecorded.statusCode(), unrecorded.body());
        JsonObject unrecordedError = new JsonObject(unrecorded.body());
        assertEquals(MAY_HAVE_BEEN_MADE, unrecordedError.getString("error"));
        assertEquals(null, unrecordedError.getString("audit_id"), unrecorded.body());
        int releaseFailures = failedRecords("hold_release").size();
        assertEquals(200, send("GET", "/v1/holds", SUPERVISOR, null).statusCode()); // re-sends the journaled record first
        List<JsonObject> failures = failedRecords("hold_release");
        assertEquals(releaseFailures + 1, failures.size(), failures.toString());
        assertTrue(failures.get(failures.size() - 1).getString("reason")
                .matches("the change recorded as audit \\S+ may have been made: Elasticsearch did not answer in time"), failures.toString());

        // looked at again, a release is safe to repeat: made once, recorded once more
        HttpResponse<String> released = send("DELETE", "/v1/holds/" + holdId, SUPERVISOR, null);
        assertEquals(200, released.statusCode(), released.body());
        assertNotNull(new JsonObject(released.body()).getString("released_at"), released.body());
    }

    /**
     * Sends the request while the proxy hangs: 503 with Retry-After. Its record — outcome failed,
     * status 503, reason Elasticsearch not answering in time — reached the journal before the
     * answer; the index gets it once Elasticsearch answers again (before the next record).
     */
    private static void assertFailedWhileHung(String method, String path, String token, String body, String action) throws Exception {
        int before = failedRecords(action).size();
        long started = System.nanoTime();
        HttpResponse<String> answer = whileHung(method, path, token, body);
        // for the operations guide's table, not asserted: how long a hung cluster kept the caller waiting
        System.out.printf("hung Elasticsearch: %s %s answered %d after %d ms: %s%n", method, path, answer.statusCode(),
                (System.nanoTime() - started) / 1_000_000, answer.body());
        assertEquals(503, answer.statusCode(), method + " " + path + ": " + answer.body());
        assertEquals("1", answer.headers().firstValue("Retry-After").orElse(null), method + " " + path);
        // the next record re-sends the ones the index missed first
        assertEquals(200, send("GET", "/v1/holds", SUPERVISOR, null).statusCode());
        List<JsonObject> failed = failedRecords(action);
        assertEquals(before + 1, failed.size(), method + " " + path + ": " + failed);
        JsonObject record = failed.get(failed.size() - 1);
        assertEquals("failed", record.getString("outcome"), record.encode());
        assertEquals("Elasticsearch did not answer in time", record.getString("reason"), record.encode());
    }

    /**
     * Sends the change with the proxy hanging the connection of its first request whose request line
     * contains {@code hangOn}: 503 with Retry-After, an answer that says the change may have been made
     * and names its record, which names the change's intent (recorded, allowed, before the change).
     */
    private static JsonObject assertMayHaveBeenMade(String method, String path, String body, String hangOn, String action) throws Exception {
        HttpResponse<String> answer;
        // that first request only: a creation that then finds no definition writes one marking it failed
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean();
        proxy.hangOn(line -> line.contains(hangOn) && first.compareAndSet(false, true));
        try {
            answer = send(method, path, SUPERVISOR, body);
        } finally {
            proxy.hangOn(line -> false);
        }
        assertEquals(503, answer.statusCode(), method + " " + path + ": " + answer.body());
        assertEquals("1", answer.headers().firstValue("Retry-After").orElse(null));
        JsonObject error = new JsonObject(answer.body());
        assertEquals(MAY_HAVE_BEEN_MADE, error.getString("error"));
        JsonObject failure = record(error.getString("audit_id"));
        assertEquals(action, failure.getString("action"));
        assertEquals("failed", failure.getString("outcome"));
        assertEquals(503, failure.getInteger("status"));
        String reason = failure.getString("reason");
        String intentId = reason.replaceFirst("^the change recorded as audit (\\S+) may have been made: .*$", "$1");
        assertEquals("the change recorded as audit " + intentId + " may have been made: Elasticsearch did not answer in time", reason);
        JsonObject intent = record(intentId);
        assertEquals(action, intent.getString("action"));
        assertEquals("allowed", intent.getString("outcome"));
        assertTrue(intent.getLong("seq") < failure.getLong("seq"), "the intent first");
        return failure;
    }

    private static String createdHold(String caseNumber) throws Exception {
        HttpResponse<String> created = send("POST", "/v1/holds", SUPERVISOR, holdBody(caseNumber));
        assertEquals(201, created.statusCode(), created.body());
        return new JsonObject(created.body()).getString("hold_id");
    }

    private static String holdBody(String caseNumber) {
        return holdBody(caseNumber, "HNG 4242");
    }

    private static String holdBody(String caseNumber, String plate) {
        return new JsonObject().put("purpose", "homicide").put("case_number", caseNumber).put("plate", plate)
                .put("reason", "suspect vehicle").put("until", Instant.now().plus(30, ChronoUnit.DAYS).toString()).encode();
    }

    private static HttpResponse<String> whileHung(String method, String path, String token, String body) throws Exception {
        proxy.hang(true);
        try {
            return send(method, path, token, body);
        } finally {
            proxy.hang(false);
        }
    }

    /** The records of {@code action}, oldest first, straight from the index. */
    private static List<JsonObject> records(String action) throws Exception {
        return search(new JsonObject().put("term", new JsonObject().put("action", action)));
    }

    /** The records of {@code action} with status 503, oldest first, straight from the index. */
    private static List<JsonObject> failedRecords(String action) throws Exception {
        return search(new JsonObject().put("bool", new JsonObject().put("filter", new JsonArray()
                .add(new JsonObject().put("term", new JsonObject().put("action", action)))
                .add(new JsonObject().put("term", new JsonObject().put("status", 503))))));
    }

    private static JsonObject record(String auditId) throws Exception {
        List<JsonObject> found = search(new JsonObject().put("term", new JsonObject().put("audit_id", auditId)));
        assertEquals(1, found.size(), "audit " + auditId + ": " + found);
        return found.get(0);
    }

    private static List<JsonObject> search(JsonObject query) throws Exception {
        String index = node.config().auditIndex();
        direct.rest().performRequest(new Request("POST", "/" + index + "/_refresh"));
        Request search = new Request("POST", "/" + index + "/_search");
        search.setJsonEntity(new JsonObject().put("size", 1000).put("sort", new JsonArray().add(new JsonObject().put("seq", "asc")))
                .put("query", query).encode());
        JsonObject response = new JsonObject(new String(direct.rest().performRequest(search).getEntity().getContent().readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8));
        return response.getJsonObject("hits").getJsonArray("hits").stream()
                .map(hit -> ((JsonObject) hit).getJsonObject("_source")).toList();
    }

    /** Each request gives up after 30 s: a route that waited for the connection's minute fails here. */
    private static HttpResponse<String> send(String method, String path, String authorization, String json) throws Exception {
        return SearchApiRequests.send(node, method, path, authorization, json);
    }
}
