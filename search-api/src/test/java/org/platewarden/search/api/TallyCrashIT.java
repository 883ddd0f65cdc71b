package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;
import static org.platewarden.search.api.ApiStack.term;
import static org.platewarden.search.api.SearchApiVerticleIT.AUDITOR;
import static org.platewarden.search.api.SearchApiVerticleIT.INVESTIGATOR;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.search.audit.AuditEsSupport;
import org.platewarden.search.audit.AuditJournal;
import org.platewarden.search.audit.CanonicalJson;
import org.platewarden.search.audit.RefusedRecordBudget;
import org.platewarden.search.audit.TallyFile;
import org.platewarden.testkit.SettableClock;

/**
 * The counts of refusals past a caller's budget survive a crash: the node saves its tallies not yet
 * written to its tally file every tick they changed, and a node started again on the same data dir
 * (and the same Elasticsearch indices) after a kill — no shutdown flush, no last save — writes the
 * summary record with the audit id the counted answers named and their counts; a summary written
 * between the last save and the kill is not written a second time. Real search service, audit log
 * and Elasticsearch; the budget's clock is the test's.
 */
class TallyCrashIT {
    /** A minute's start, so a window's bounds are known; 10 s into it. */
    private static final Instant WINDOW = Instant.parse("2026-11-22T14:03:00Z");
    private static final String SUMMARY = RefusedRecordBudget.SUMMARY_ACTION;
    private static final JsonObject SEARCH = new JsonObject().put("rate_limit_per_minute", 1000);
    @TempDir
    Path dataDir;
    private final SettableClock clock = new SettableClock(WINDOW.plusSeconds(10));

    private RefusedRecordBudget budget() {
        return new RefusedRecordBudget(1, 100, Duration.ofMinutes(1), clock);
    }

    private Path tallyFile() {
        return TallyFile.pathFor(dataDir, "node-t");
    }

    /** One refusal with a record of its own, then {@code n} counted: the one id their answers all named. */
    private static String countedRefusals(ApiStack stack, int n) {
        assertEquals(403, stack.recordOf(stack.search(INVESTIGATOR, searchBody("personal", "OWN"))).getInteger("status"));
        Set<String> named = new HashSet<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<Buffer> answer = stack.search(INVESTIGATOR, searchBody("personal", "COUNTED-" + i));
            assertEquals(403, answer.statusCode(), answer.bodyAsString());
            assertEquals("counted", answer.bodyAsJsonObject().getString("audit"), answer.bodyAsString());
            assertEquals(answer.bodyAsJsonObject().getString("audit_id"), answer.getHeader(Responses.AUDIT_ID_HEADER));
            named.add(answer.bodyAsJsonObject().getString("audit_id"));
        }
        assertEquals(1, named.size(), named.toString());
        return named.iterator().next();
    }

    /** The refused budget's saved tallies, once the file satisfies {@code until} (within 10 s: a save follows a tick). */
    private JsonNode savedTallies(Predicate<JsonNode> until, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode tallies = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Files.exists(tallyFile())) {
                    tallies = CanonicalJson.MAPPER.readTree(tallyFile().toFile()).path("budgets").path("refused");
                    if (until.test(tallies)) return tallies;
                }
                Thread.sleep(100);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("the tally file " + tallyFile() + " never showed " + what + "; last: " + tallies);
    }

    private static Predicate<JsonNode> holds(String auditId, long requests) {
        return tallies -> tallies.size() == 1 && tallies.get(0).path("audit_id").asText().equals(auditId)
                && tallies.get(0).path("requests").asLong() == requests;
    }

    private static void assertVerifies(ApiStack stack) {
        HttpResponse<Buffer> verify = stack.send(stack.client.get("/v1/audit/verify"), AUDITOR);
        assertEquals(200, verify.statusCode(), verify.bodyAsString());
        assertEquals(true, verify.bodyAsJsonObject().getBoolean("ok"), verify.bodyAsString());
    }

    /** Journal lines of records with that audit id: each record is journaled once. */
    private long journaled(String auditId) throws IOException {
        try (var lines = Files.lines(AuditJournal.pathFor(dataDir, "node-t"))) {
            return lines.filter(l -> l.contains("\"audit_id\":\"" + auditId + "\"")).count();
        }
    }

    @Test
    void theCountsOfANodeKilledBeforeItsWindowClosedAreWrittenAfterItsRestartUnderTheIdTheirAnswersNamed() throws IOException {
        ApiStack first = new ApiStack(dataDir, budget(), SEARCH);
        String counted;
        try {
            counted = countedRefusals(first, 3);
            savedTallies(holds(counted, 3), counted + " with its 3 requests");
            assertTrue(first.auditRecords(term("audit_id", counted)).isEmpty(), "the window is open: not written");
        } catch (RuntimeException | AssertionError e) {
            first.close();
            throw e;
        }
        first.crash();

        clock.advance(Duration.ofSeconds(20)); // the restart, within the minute
        String[] log = new String[1];
        ApiStack[] holder = new ApiStack[1];
        log[0] = AuditEsSupport.logOf(() -> holder[0] = new ApiStack(first, dataDir, budget(), SEARCH));
        try (ApiStack second = holder[0]) {
            assertTrue(log[0].contains("refused audit budget: 1 tally(ies) for 3 request(s) taken back from " + tallyFile()), log[0]);
            JsonArray summaries = second.recordsAfterTheTick(SUMMARY, 1);
            assertEquals(1, summaries.size(), summaries.encode());
            JsonObject summary = summaries.getJsonObject(0);
            assertEquals(counted, summary.getString("audit_id"), "the record the counted answers named");
            assertEquals("dpd.investigator", summary.getString("user"));
            assertEquals("static_token", summary.getString("auth_method"));
            assertEquals(3L, summary.getLong("request_count"));
            JsonObject query = summary.getJsonObject("query");
            assertEquals(new JsonObject().put("403", 3L), query.getJsonObject("by_status"));
            assertEquals(new JsonObject().put("search", 3L), query.getJsonObject("by_action"));
            assertEquals(WINDOW.toString(), query.getString("window_start"));
            assertEquals(WINDOW.plusSeconds(30).toString(), query.getString("window_end"), "its window had not closed: it ends at the restart");
            assertEquals(WINDOW.plusSeconds(10).toString(), query.getString("first_at"));
            assertEquals(WINDOW.plusSeconds(10).toString(), query.getString("last_at"));
            assertEquals(1, journaled(counted));
            assertVerifies(second); // one chain across the kill

            savedTallies(JsonNode::isEmpty, "no tally once the summary is written");
            // a clean stop after it: the file stays, with nothing to restore
            second.stopServer();
            assertEquals(0, CanonicalJson.MAPPER.readTree(tallyFile().toFile()).path("budgets").path("refused").size());
        }
    }

    @Test
    void aSummaryWrittenAfterTheLastSaveAndBeforeTheKillIsNotWrittenAgain() throws IOException {
        ApiStack first = new ApiStack(dataDir, budget(), SEARCH);
        String counted;
        byte[] lastSave;
        try {
            counted = countedRefusals(first, 2);
            savedTallies(holds(counted, 2), counted + " with its 2 requests");
            lastSave = Files.readAllBytes(tallyFile());
            clock.advance(Duration.ofMinutes(1));
            JsonArray written = first.recordsAfterTheTick(SUMMARY, 1);
            assertEquals(counted, written.getJsonObject(0).getString("audit_id"));
        } catch (RuntimeException | AssertionError e) {
            first.close();
            throw e;
        }
        first.crash();
        // the kill came before the save that followed the write: the file still holds the tally
        Files.write(tallyFile(), lastSave);

        String[] log = new String[1];
        ApiStack[] holder = new ApiStack[1];
        log[0] = AuditEsSupport.logOf(() -> holder[0] = new ApiStack(first, dataDir, budget(), SEARCH));
        try (ApiStack second = holder[0]) {
            assertTrue(log[0].contains("refused audit budget: 0 tally(ies) for 0 request(s) taken back from " + tallyFile()
                    + ", to be written with the audit ids their answers named; 1 (2 request(s)) dropped"), log[0]);
            savedTallies(JsonNode::isEmpty, "the dropped tally gone from the file");
            Thread.sleep(1_500); // another tick or two: nothing is written
            JsonArray summaries = second.auditRecords(term("action", SUMMARY));
            assertEquals(1, summaries.size(), summaries.encode());
            assertEquals(2L, summaries.getJsonObject(0).getLong("request_count"));
            assertEquals(1, journaled(counted), "journaled once: a second record of the id would be refused by the index and break the chain");
            String metrics = second.send(second.client.get("/metrics"), null).bodyAsString();
            assertTrue(metrics.contains("platewarden_audit_refused_summaries_total{result=\"written\"} 0.0"), metrics);
            assertVerifies(second);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
