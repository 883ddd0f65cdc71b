package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.testkit.SettableClock;

/**
 * The tally file: what the budgets save is what they get back (both budgets' keys, windows, first
 * and last, counts by status and action, tallies being written), and a file that is not whole is
 * refused as a whole rather than read in part.
 */
class TallyFileTest {
    private static final Instant MINUTE = Instant.parse("2026-11-22T14:03:00Z");
    @TempDir
    Path dataDir;
    private final SettableClock clock = new SettableClock(MINUTE.plusSeconds(10));

    private AnonymousBudget anonymous() {
        return new AnonymousBudget(1, 1000, 2, Duration.ofMinutes(1), clock);
    }

    private RefusedRecordBudget refused() {
        return new RefusedRecordBudget(1, 10, Duration.ofMinutes(1), clock);
    }

    private static AuditEntry refusal(String user, String authMethod, int status) {
        return new AuditEntry("search", user, "DPD", Set.of("investigator"), "personal", "C-1", null, null,
                AuditVocabulary.outcomeFor(status), "purpose not allowed", status, 0, List.of(), null, null, authMethod, null, null);
    }

    private static List<BudgetTallies<?>> both(AnonymousBudget a, RefusedRecordBudget r) {
        return List.of(a.tallies(), r.tallies());
    }

    /** Restores every budget's saved tallies as none had been written. */
    private static void restoreAll(List<BudgetTallies.Saved<?>> saved) {
        saved.forEach(s -> s.restoreUnwritten(Map.of()));
    }

    @Test
    void thePathIsBesideTheJournal() {
        assertEquals(dataDir.resolve("audit").resolve("budgets-node_1.json"), TallyFile.pathFor(dataDir, "node/1"));
        assertEquals(AuditJournal.pathFor(dataDir, "node-1").getParent(), TallyFile.pathFor(dataDir, "node-1").getParent());
    }

    @Test
    void whatTheBudgetsSaveIsWhatTheyGetBackAndWriteWithTheSameIds() throws IOException {
        AnonymousBudget anonymous = anonymous();
        RefusedRecordBudget refused = refused();
        anonymous.admit("10.0.0.7", "search", 401);
        String address = anonymous.admit("10.0.0.7", "search", 401).countedAs();
        anonymous.countUnrecorded("10.0.0.7", "audit_read", 503);
        anonymous.admit(null, "search", 400);
        String unknown = anonymous.admit(null, "search", 413).countedAs();
        String overflow = anonymous.admit("10.0.0.9", "search", 401).countedAs(); // past the two addresses of a window
        refused.admit(refusal("dpd.investigator", "static_token", 403));
        String token = refused.admit(refusal("dpd.investigator", "static_token", 403)).countedAs();
        clock.advance(Duration.ofSeconds(5));
        refused.admit(refusal("dpd.investigator", "static_token", 429));
        refused.admit(refusal("jwt.user", "jwt", 403));
        String jwt = refused.admit(refusal("jwt.user", "jwt", 400)).countedAs();
        clock.advance(Duration.ofMinutes(1));
        List<RecordBudget.Summary<RefusedRecordBudget.Caller>> beingWritten = refused.takeSummaries(false); // in flight at the save
        assertEquals(2, beingWritten.size());
        List<AnonymousBudget.Summary> anonymousExpected = anonymous.takeSummaries(false);
        anonymousExpected.forEach(anonymous::putBack);

        Path file = TallyFile.pathFor(dataDir, "node-1");
        TallyFile.write(file, "node-1", both(anonymous, refused));
        JsonNode doc = CanonicalJson.MAPPER.readTree(file.toFile());
        assertEquals(1, doc.get("version").asInt());
        assertEquals("node-1", doc.get("node_id").asText());
        JsonNode first = doc.path("budgets").path("refused").get(0);
        assertEquals("DPD", first.path("key").path("agency").asText());
        assertEquals(MINUTE.plusSeconds(10).toString(), first.path("first_at").asText());
        assertEquals(MINUTE.plusSeconds(15).toString(), first.path("last_at").asText());
        assertEquals(2, first.path("by_status").size());

        clock.advance(Duration.ofMinutes(5)); // the restart, long after
        AnonymousBudget anonymousAfter = anonymous();
        RefusedRecordBudget refusedAfter = refused();
        List<BudgetTallies.Saved<?>> saved = TallyFile.read(file, both(anonymousAfter, refusedAfter));
        assertEquals(2, saved.size());
        restoreAll(saved);

        assertEquals(Set.copyOf(beingWritten), Set.copyOf(refusedAfter.takeSummaries(false)), "written after the restart as they would have been");
        assertEquals(Set.of(token, jwt), Set.copyOf(beingWritten.stream().map(RecordBudget.Summary::auditId).toList()));
        List<AnonymousBudget.Summary> anonymousAfterRestart = anonymousAfter.takeSummaries(false);
        assertEquals(Set.copyOf(anonymousExpected), Set.copyOf(anonymousAfterRestart));
        assertEquals(Set.of(address, unknown, overflow), Set.copyOf(anonymousAfterRestart.stream().map(AnonymousBudget.Summary::auditId).toList()));
        AnonymousBudget.Summary fromAddress = anonymousAfterRestart.stream().filter(s -> address.equals(s.auditId())).findFirst().orElseThrow();
        assertEquals(Map.of(401, 1L, 503, 1L), fromAddress.byStatus());
        assertEquals(Map.of("audit_read", 1L, "search", 1L), fromAddress.byAction());
        assertTrue(anonymousAfterRestart.stream().anyMatch(s -> s.clientAddress() == null), "an unknown address stays unknown");
        assertTrue(anonymousAfterRestart.stream().anyMatch(s -> AnonymousBudget.OVERFLOW_ADDRESS.equals(s.clientAddress())));
    }

    /** A search the node was too busy for: outcome rate_limited, status 503. */
    private static AuditEntry busy(String user) {
        return new AuditEntry("search", user, "DPD", Set.of("investigator"), "stolen_vehicle", "C-1", null, null,
                "rate_limited", "too many searches are running; retry shortly", 503, 0, List.of(), null, null, "static_token", null, null);
    }

    @Test
    void aBusyNodes503sKeepTheirOutcomeAcrossARestart() throws IOException {
        RefusedRecordBudget refused = refused();
        for (int i = 0; i < 4; i++) refused.admit(busy("dpd.investigator"));
        refused.countUnrecorded(refusal("dpd.investigator", "static_token", 403)); // its record could not be written: answered 503
        Path file = TallyFile.pathFor(dataDir, "node-1");
        TallyFile.write(file, "node-1", both(anonymous(), refused));
        JsonNode saved = CanonicalJson.MAPPER.readTree(file.toFile()).path("budgets").path("refused").get(0);
        assertEquals("{\"failed\":{\"503\":1},\"rate_limited\":{\"503\":3}}", CanonicalJson.write(saved.path("by_outcome")));

        RefusedRecordBudget after = refused();
        restoreAll(TallyFile.read(file, both(anonymous(), after)));
        RecordBudget.Summary<RefusedRecordBudget.Caller> summary = after.takeSummaries(false).get(0);
        assertEquals(Map.of("rate_limited", 3L, "failed", 1L), summary.byOutcome());
        AuditEntry record = after.entryOf(summary);
        assertEquals("rate_limited", record.outcome());
        assertEquals(503, record.status());
    }

    /**
     * A file the previous version saved — tallies without by_outcome, which counted a busy node's 503s
     * as 503s only — still loads, each status's requests under the outcome the status says: what that
     * version's summary would have said.
     */
    @Test
    void aFileSavedBeforeOutcomesWereCountedLoadsWithTheOutcomesItsStatusesSay() throws IOException {
        Path file = TallyFile.pathFor(dataDir, "node-1");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                {"budgets":{"anonymous":[{"audit_id":"a-1","by_action":{"search":2},"by_status":{"401":2},"first_at":null,"key":{"client_address":"10.0.0.7"},\
                "last_at":null,"requests":2,"window_end":"2026-11-22T14:04:00Z","window_start":"2026-11-22T14:03:00Z"}],\
                "refused":[{"audit_id":"r-1","by_action":{"search":3},"by_status":{"429":1,"503":2},"first_at":"2026-11-22T14:03:10Z",\
                "key":{"agency":"DPD","auth_method":"static_token","user":"dpd.investigator"},"last_at":"2026-11-22T14:03:20Z","requests":3,\
                "window_end":"2026-11-22T14:04:00Z","window_start":"2026-11-22T14:03:00Z"}]},"node_id":"node-1",\
                "saved_at":"2026-11-22T14:03:21Z","version":1}""");
        AnonymousBudget anonymous = anonymous();
        RefusedRecordBudget refused = refused();
        restoreAll(TallyFile.read(file, both(anonymous, refused)));
        RecordBudget.Summary<RefusedRecordBudget.Caller> summary = refused.takeSummaries(false).get(0);
        assertEquals("r-1", summary.auditId());
        assertEquals(Map.of(429, 1L, 503, 2L), summary.byStatus());
        assertEquals(Map.of("failed", 2L, "rate_limited", 1L), summary.byOutcome());
        AuditEntry record = refused.entryOf(summary);
        assertEquals("failed", record.outcome(), "as the version that counted them would have written it");
        assertEquals(503, record.status());
        AnonymousBudget.Summary fromAddress = anonymous.takeSummaries(false).get(0);
        assertEquals("a-1", fromAddress.auditId());
        assertEquals("unauthorized", anonymous.entryOf(fromAddress).outcome());
    }

    @Test
    void noFileIsNoTalliesAndAnEmptySaveIsNoneEither() throws IOException {
        Path file = TallyFile.pathFor(dataDir, "node-1");
        assertEquals(List.of(), TallyFile.read(file, both(anonymous(), refused())));
        TallyFile.write(file, "node-1", both(anonymous(), refused()));
        assertTrue(Files.exists(file));
        assertEquals(List.of(), TallyFile.read(file, both(anonymous(), refused())));
    }

    /** A saved file with one refused tally, changed by {@code change}, read back. */
    private void readChanged(Consumer<ObjectNode> change) throws IOException {
        RefusedRecordBudget refused = refused();
        refused.admit(refusal("dpd.investigator", "static_token", 403));
        refused.admit(refusal("dpd.investigator", "static_token", 403));
        Path file = TallyFile.pathFor(dataDir, "node-1");
        TallyFile.write(file, "node-1", both(anonymous(), refused));
        ObjectNode doc = (ObjectNode) CanonicalJson.MAPPER.readTree(file.toFile());
        change.accept(doc);
        Files.write(file, CanonicalJson.MAPPER.writeValueAsBytes(doc));
        TallyFile.read(file, both(anonymous(), refused()));
    }

    private static ObjectNode tally(ObjectNode doc) {
        return (ObjectNode) ((ArrayNode) doc.path("budgets").path("refused")).get(0);
    }

    @Test
    void aFileThatIsNotWholeIsRefusedAsAWhole() throws IOException {
        readChanged(doc -> { }); // as saved: read
        assertThrows(IOException.class, () -> readChanged(doc -> doc.put("version", 2)));
        assertThrows(IOException.class, () -> readChanged(doc -> doc.remove("budgets")));
        assertThrows(IOException.class, () -> readChanged(doc -> ((ObjectNode) doc.get("budgets")).putArray("someone_elses")));
        assertThrows(IOException.class, () -> readChanged(doc -> tally(doc).remove("audit_id")));
        assertThrows(IOException.class, () -> readChanged(doc -> tally(doc).put("requests", 2)), "counts by status that do not add up");
        assertThrows(IOException.class, () -> readChanged(doc -> tally(doc).put("window_end", "yesterday")));
        assertThrows(IOException.class, () -> readChanged(doc -> tally(doc).putObject("by_status").put("x", 1)));
        assertThrows(IOException.class, () -> readChanged(doc -> ((ObjectNode) tally(doc).get("key")).remove("agency")));
        readChanged(doc -> tally(doc).remove("by_outcome")); // as an earlier version saved it: read
        assertThrows(IOException.class, () -> readChanged(doc -> ((ObjectNode) tally(doc).get("by_outcome").get("refused")).put("403", 2)),
                "counts by outcome that do not add up to those by status");
        assertThrows(IOException.class, () -> readChanged(doc -> ((ObjectNode) tally(doc).get("by_outcome")).set("nonsense",
                ((ObjectNode) tally(doc).get("by_outcome")).remove("refused"))));
        assertThrows(IOException.class, () -> readChanged(doc -> tally(doc).putNull("by_outcome")));
        Path file = TallyFile.pathFor(dataDir, "node-1");
        Files.writeString(file, "{\"version\":1,\"budgets\":{\"refused\":[{\"audit_id\""); // torn (it never is: replaced whole)
        assertThrows(IOException.class, () -> TallyFile.read(file, both(anonymous(), refused())));
    }
}
