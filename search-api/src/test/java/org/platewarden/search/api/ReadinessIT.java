package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;
import static org.platewarden.search.api.SearchApiVerticleIT.AUDITOR;
import static org.platewarden.search.api.SearchApiVerticleIT.INVESTIGATOR;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.search.audit.AuditEsSupport;
import org.platewarden.search.audit.JournalFaults;
import org.platewarden.testkit.ElasticsearchFixture;
import org.platewarden.testkit.HangingProxy;

/**
 * The chaos test's two findings, on the real search service, audit log and Elasticsearch: an
 * Elasticsearch that hangs (SIGSTOP: connections accepted, nothing answered — here a proxy in front
 * of the shared node, which is never touched) fails a search closed within the configured timeouts
 * and the readiness probe within its own bound, instead of after a minute or two; and an audit
 * journal whose file system turned read-only makes {@code /health/ready} say so — every search is
 * answered 503 meanwhile — until a write succeeds again, which the node finds out on its own.
 */
class ReadinessIT {
    /** The timeouts of these tests' search node: short, so the hang costs the test seconds. */
    private static final int SEARCH_TIMEOUT_MS = 1_500;
    private static final int AUDIT_INDEX_TIMEOUT_MS = 1_000;
    /**
     * How late a timeout of the Elasticsearch client may fire: its I/O reactor checks them once per
     * select interval (Apache HttpCore NIO's default, 1 s).
     */
    private static final int TIMEOUT_CHECK_MS = 1_000;
    /** What a loaded CI machine may add to an answer. */
    private static final int SLACK_MS = 1_500;

    @TempDir
    Path dataDir;

    private static JsonObject timeouts() {
        return new JsonObject().put("es_request_timeout_ms", SEARCH_TIMEOUT_MS).put("audit_index_timeout_ms", AUDIT_INDEX_TIMEOUT_MS)
                .put("rate_limit_per_minute", 0);
    }

    private static long millisSince(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    /** Asks {@code /health/ready} (nothing else is sent) until it answers 200, for up to 10 s; its last answer. */
    private static HttpResponse<Buffer> awaitReady(ApiStack stack) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        HttpResponse<Buffer> ready;
        do {
            ready = stack.send(stack.client.get("/health/ready"), null);
            if (ready.statusCode() == 200) break;
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return ready;
    }

    @Test
    void aHungElasticsearchFailsSearchesClosedWithinTheTimeoutsAndReadinessWithinItsBound() throws Exception {
        try (HangingProxy proxy = new HangingProxy(ElasticsearchFixture.url());
             ApiStack stack = ApiStack.withElasticsearchAndJournal(dataDir, timeouts(), proxy.url(), null)) {
            assertEquals(200, stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "HANG-BEFORE")).statusCode());
            assertEquals(200, stack.send(stack.client.get("/health/ready"), null).statusCode());

            proxy.hang(true);
            long started = System.nanoTime();
            HttpResponse<Buffer> ready = stack.send(stack.client.get("/health/ready"), null);
            long readyMillis = millisSince(started);
            assertEquals(503, ready.statusCode(), ready.bodyAsString());
            JsonObject body = ready.bodyAsJsonObject();
            assertEquals("not_ready", body.getString("status"));
            assertEquals(false, body.getBoolean("elasticsearch"));
            assertTrue(body.getString("reason").contains("Elasticsearch not answering within "
                    + SearchApiVerticle.READY_TIMEOUT_MILLIS + " ms"), body.encode());
            assertTrue(readyMillis >= SearchApiVerticle.READY_TIMEOUT_MILLIS - 100
                            && readyMillis < SearchApiVerticle.READY_TIMEOUT_MILLIS + TIMEOUT_CHECK_MS + SLACK_MS,
                    "answered after " + readyMillis + " ms");

            started = System.nanoTime();
            HttpResponse<Buffer> search = stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "HANG-DURING"));
            long searchMillis = millisSince(started);
            assertEquals(503, search.statusCode(), search.bodyAsString());
            assertEquals("1", search.getHeader("Retry-After"));
            // the search's request waited its timeout, then its record's index write waited its own
            assertTrue(searchMillis >= SEARCH_TIMEOUT_MS
                            && searchMillis < SEARCH_TIMEOUT_MS + AUDIT_INDEX_TIMEOUT_MS + 2 * TIMEOUT_CHECK_MS + SLACK_MS,
                    "answered after " + searchMillis + " ms: " + search.bodyAsString());
            System.out.printf("hung Elasticsearch: /health/ready answered 503 after %d ms, a search 503 after %d ms: %s / %s%n",
                    readyMillis, searchMillis, ready.bodyAsString(), search.bodyAsString());
            // its record (outcome failed) reached the journal; the index gets it once Elasticsearch answers again
            assertNull(search.bodyAsJsonObject().getValue("audit_id"), search.bodyAsString());

            proxy.hang(false);
            // ready once the audit index took a write again: the record it lacks, re-sent within a second on its own
            assertEquals(200, awaitReady(stack).statusCode());
            HttpResponse<Buffer> after = stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "HANG-AFTER"));
            assertEquals(200, after.statusCode(), after.bodyAsString());
            JsonArray failed = stack.auditRecords(ApiStack.term("case_number", "HANG-DURING"));
            assertEquals(1, failed.size(), failed.encodePrettily());
            assertEquals("failed", failed.getJsonObject(0).getString("outcome"));
            assertEquals(503, failed.getJsonObject(0).getInteger("status"));
            assertTrue(failed.getJsonObject(0).getString("reason").contains("retry later"), failed.encodePrettily());
            HttpResponse<Buffer> verify = stack.send(stack.client.get("/v1/audit/verify"), AUDITOR);
            assertEquals(true, verify.bodyAsJsonObject().getBoolean("ok"), verify.bodyAsString());
        }
    }

    @Test
    void aReadOnlyAuditJournalMakesTheNodeNotReadyUntilAWriteSucceedsAgain() throws Exception {
        AtomicBoolean readOnly = new AtomicBoolean();
        try (ApiStack stack = ApiStack.withElasticsearchAndJournal(dataDir, timeouts(), ElasticsearchFixture.url(),
                config -> JournalFaults.readOnlyWhile(config, readOnly::get))) {
            assertEquals(200, stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "RO-BEFORE")).statusCode());
            HttpResponse<Buffer> ready = stack.send(stack.client.get("/health/ready"), null);
            assertEquals(200, ready.statusCode(), ready.bodyAsString());
            assertEquals(true, ready.bodyAsJsonObject().getBoolean("audit_trail"));

            readOnly.set(true);
            HttpResponse<Buffer> refused = stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "RO-DURING"));
            assertEquals(503, refused.statusCode(), refused.bodyAsString());
            ready = stack.send(stack.client.get("/health/ready"), null);
            assertEquals(503, ready.statusCode(), ready.bodyAsString());
            JsonObject body = ready.bodyAsJsonObject();
            assertEquals("not_ready", body.getString("status"));
            assertEquals(true, body.getBoolean("elasticsearch"));
            assertEquals(true, body.getBoolean("templates_installed"));
            assertEquals(false, body.getBoolean("audit_trail"));
            assertTrue(body.getString("reason").contains("the audit journal has failed every write since"), body.encode());
            assertTrue(body.getString("reason").contains("Read-only file system"), body.encode());
            System.out.println("read-only journal: " + ready.bodyAsString());
            // asking again writes nothing and changes nothing
            assertEquals(503, stack.send(stack.client.get("/health/ready"), null).statusCode());

            // the disk takes writes again: with no request at all (a load balancer sends none to a node
            // that is not ready), the node finds out within a couple of seconds
            readOnly.set(false);
            ready = awaitReady(stack);
            assertEquals(200, ready.statusCode(), ready.bodyAsString());
            assertEquals(true, ready.bodyAsJsonObject().getBoolean("audit_trail"));
            assertEquals(200, stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "RO-AFTER")).statusCode());
            // the search answered 503 is in the trail (its record went to the index while its journal
            // line failed) with the correction that says so, in the journal as in the index
            JsonArray during = stack.auditRecords(ApiStack.term("case_number", "RO-DURING"));
            assertEquals(2, during.size(), during.encodePrettily());
            assertEquals("search_correction", during.getJsonObject(1).getString("action"));
            HttpResponse<Buffer> verify = stack.send(stack.client.get("/v1/audit/verify"), AUDITOR);
            assertEquals(true, verify.bodyAsJsonObject().getBoolean("ok"), verify.bodyAsString());
        }
    }

    /**
     * The audit index refusing writes (an index write block, as the flood-stage disk watermark sets)
     * while the cluster answers and is green: every search fails closed, so the node is not ready, and
     * says since when and which index; it is ready again on its own once the index takes a write (the
     * records it lacks are re-sent each second without a request), and the search answered 503 is in
     * the trail with its correction.
     */
    @Test
    void anAuditIndexThatRefusesWritesMakesTheNodeNotReadyUntilItTakesOneAgain() throws Exception {
        try (ApiStack stack = ApiStack.withElasticsearchAndJournal(dataDir, timeouts(), ElasticsearchFixture.url(), null)) {
            assertEquals(200, stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "BLOCK-BEFORE")).statusCode()); // the index exists
            assertEquals(200, stack.send(stack.client.get("/health/ready"), null).statusCode());

            Instant blocked = Instant.now();
            blockAuditWrites(stack, true);
            HttpResponse<Buffer> ready;
            try {
                HttpResponse<Buffer> refused = stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "BLOCK-DURING"));
                assertEquals(503, refused.statusCode(), refused.bodyAsString());
                Instant answered = Instant.now();
                ready = stack.send(stack.client.get("/health/ready"), null);
                assertEquals(503, ready.statusCode(), ready.bodyAsString());
                JsonObject body = ready.bodyAsJsonObject();
                assertEquals("not_ready", body.getString("status"));
                assertEquals(true, body.getBoolean("elasticsearch"), "the cluster answers: only the audit index refuses");
                assertEquals(true, body.getBoolean("templates_installed"));
                assertEquals(false, body.getBoolean("audit_trail"));
                String reason = body.getString("reason");
                Matcher since = Pattern.compile("the audit index " + Pattern.quote(stack.config.auditIndex())
                        + " has failed every write since (\\S+) \\(the last: ").matcher(reason);
                assertTrue(since.find(), reason);
                Instant failingSince = Instant.parse(since.group(1));
                assertTrue(!failingSince.isBefore(blocked) && !failingSince.isAfter(answered), failingSince + " not within the blocked search: " + reason);
                assertTrue(reason.contains("blocked"), "Elasticsearch's refusal: " + reason);
                System.out.println("blocked audit index: " + ready.bodyAsString());

                // the retries each second fail meanwhile and change nothing; asking writes nothing
                Thread.sleep(1_500);
                ready = stack.send(stack.client.get("/health/ready"), null);
                assertEquals(503, ready.statusCode(), ready.bodyAsString());
                assertTrue(ready.bodyAsJsonObject().getString("reason").contains("since " + failingSince + " "), ready.bodyAsString());
            } finally {
                blockAuditWrites(stack, false);
            }

            // the block lifted: with no request at all, the node finds out and is ready again
            ready = awaitReady(stack);
            assertEquals(200, ready.statusCode(), ready.bodyAsString());
            assertEquals(true, ready.bodyAsJsonObject().getBoolean("audit_trail"));
            // and the records the index lacked reached it without a request: the search answered 503 and its correction
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            JsonArray during;
            do {
                during = stack.auditRecords(ApiStack.term("case_number", "BLOCK-DURING"));
            } while (during.size() < 2 && System.nanoTime() < deadline && sleep(200));
            assertEquals(2, during.size(), during.encodePrettily());
            assertEquals("allowed", during.getJsonObject(0).getString("outcome"), "the record as journaled, which the correction follows");
            assertEquals("search_correction", during.getJsonObject(1).getString("action"));
            assertEquals(200, stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "BLOCK-AFTER")).statusCode());
            HttpResponse<Buffer> verify = stack.send(stack.client.get("/v1/audit/verify"), AUDITOR);
            assertEquals(true, verify.bodyAsJsonObject().getBoolean("ok"), verify.bodyAsString());
        }
    }

    private static boolean sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }

    private static void blockAuditWrites(ApiStack stack, boolean blocked) {
        AuditEsSupport.call(stack.es.rest(), "PUT", "/" + stack.config.auditIndex() + "/_settings", "{\"index.blocks.write\":" + blocked + "}");
    }
}
