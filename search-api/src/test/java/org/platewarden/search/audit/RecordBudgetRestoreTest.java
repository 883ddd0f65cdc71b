package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.platewarden.testkit.SettableClock;

/**
 * The tallies a save keeps across a crash ({@link RecordBudget#unwritten}) and their return at the
 * next start ({@link RecordBudget#restore}): every count told and not yet in a record is saved under
 * the id it was told, a restored tally is written with that id, and — whenever the save was taken
 * and whatever was written between it and the crash — a record of a saved id never counts fewer
 * requests than the save, and no id is written twice.
 */
class RecordBudgetRestoreTest {
    private static final Instant MINUTE = Instant.parse("2026-11-22T14:03:00Z");
    private final SettableClock clock = new SettableClock(MINUTE.plusSeconds(10));

    private RecordBudget<String> budget() {
        return new RecordBudget<>(1, 1000, 10, Duration.ofMinutes(1), clock, key -> "*");
    }

    private static String counted(RecordBudget<String> b, String key, int status) {
        RecordBudget.Decision d = b.admit(key, "search", status);
        assertNotNull(d.countedAs(), key + " was expected to be counted");
        return d.countedAs();
    }

    private static Map<String, RecordBudget.Summary<String>> byId(List<RecordBudget.Summary<String>> tallies) {
        return tallies.stream().collect(Collectors.toMap(RecordBudget.Summary::auditId, Function.identity()));
    }

    @Test
    void aSaveHoldsTheCurrentWindowsTalliesThoseNotYetWrittenAndThoseBeingWrittenOnePerId() {
        RecordBudget<String> b = budget();
        assertEquals(List.of(), b.unwritten());
        b.admit("a", "search", 401);
        String x = counted(b, "a", 401);
        clock.advance(Duration.ofMinutes(1));
        RecordBudget.Summary<String> first = b.takeSummaries(false).get(0);
        b.putBack(first); // left no record: unwritten, and the next window's counts join its id
        b.admit("a", "search", 401);
        assertEquals(x, counted(b, "a", 403));
        assertEquals(1, b.unwritten().size(), "the open window's tally and the one put back are one id, saved as one");
        RecordBudget.Summary<String> merged = b.unwritten().get(0);
        assertEquals(2, merged.requests());
        assertEquals(MINUTE, merged.windowStart());
        assertEquals(MINUTE.plusSeconds(120), merged.windowEnd());
        assertEquals(Map.of(401, 1L, 403, 1L), merged.byStatus());

        clock.advance(Duration.ofMinutes(1));
        RecordBudget.Summary<String> inFlight = b.takeSummaries(false).get(0);
        assertEquals(x, inFlight.auditId());
        b.admit("a", "search", 401);
        String y = counted(b, "a", 429);
        assertNotEquals(x, y);
        Map<String, RecordBudget.Summary<String>> saved = byId(b.unwritten());
        assertEquals(inFlight, saved.get(x), "being written: saved until settled, since the write may yet leave no record");
        assertEquals(1, saved.get(y).requests());
        assertEquals(List.of(x, y), b.unwritten().stream().map(RecordBudget.Summary::auditId).toList(), "oldest first");
        b.written(inFlight);
        assertEquals(List.of(y), b.unwritten().stream().map(RecordBudget.Summary::auditId).toList(), "written: no longer saved");
    }

    @Test
    void changesMoveWithWhatASaveHoldsAndNotWithRequestsThatHaveRecordsOfTheirOwn() {
        RecordBudget<String> b = budget();
        b.admit("a", "search", 401);
        assertEquals(0, b.changes(), "a record of its own: nothing to save");
        counted(b, "a", 401);
        long afterCount = b.changes();
        assertTrue(afterCount > 0);
        clock.advance(Duration.ofMinutes(1));
        RecordBudget.Summary<String> s = b.takeSummaries(false).get(0);
        assertEquals(afterCount, b.changes(), "handed over: still saved as it was");
        b.written(s);
        assertTrue(b.changes() > afterCount, "written: the save must drop it");
    }

    @Test
    void restoredTalliesAreWrittenWithTheirIdsAndAKeysNextRequestsJoinTheNewestWhileItIsNotBeingWritten() {
        RecordBudget<String> before = budget();
        before.admit("a", "search", 401);
        String x = counted(before, "a", 401);
        counted(before, "a", 403);
        before.admit("b", "search", 401);
        String z = counted(before, "b", 401);
        List<RecordBudget.Summary<String>> saved = before.unwritten();

        clock.advance(Duration.ofSeconds(20)); // the crash and restart, within the same minute
        RecordBudget<String> after = budget();
        after.restore(saved);
        assertEquals(3, after.pendingRequests());
        assertEquals(0, after.countedRequests(), "counted by the process before: not this one's metric");
        after.admit("a", "search", 401);
        assertEquals(x, counted(after, "a", 429), "the key's unwritten summary: its id, as before the crash");
        List<RecordBudget.Summary<String>> handed = after.takeSummaries(false);
        assertEquals(List.of(z), handed.stream().map(RecordBudget.Summary::auditId).toList(),
                "b's restored tally is written at the next tick; a's waits for the open window that counts into its id");
        RecordBudget.Summary<String> b = handed.get(0);
        assertEquals(MINUTE, b.windowStart());
        assertEquals(MINUTE.plusSeconds(30), b.windowEnd(), "its window had not closed: it ends at the restart, as at a shutdown");
        assertEquals(MINUTE.plusSeconds(10), b.firstAt());
        after.written(b);
        after.admit("b", "search", 401);
        assertNotEquals(z, counted(after, "b", 401), "b's restored summary is being written or written: a new id");

        clock.advance(Duration.ofMinutes(1));
        Map<String, RecordBudget.Summary<String>> closed = byId(after.takeSummaries(false));
        RecordBudget.Summary<String> a = closed.get(x);
        assertEquals(3, a.requests(), "two before the crash, one after");
        assertEquals(Map.of(401, 1L, 403, 1L, 429, 1L), a.byStatus());
        assertEquals(MINUTE.plusSeconds(10), a.firstAt());
        assertEquals(MINUTE.plusSeconds(30), a.lastAt());
        assertEquals(MINUTE.plusSeconds(60), a.windowEnd());
    }

    /**
     * Random requests, window closes, writes that succeed or leave no record; a save at a random step
     * and a crash at a later one (each summary then being written reached the trail or not, at
     * random); a restart from that save drops what the trail has and writes the rest. The save held
     * every id told and not yet written, with the requests told it; no record counts fewer than the
     * save (the id rules AlreadyWritten relies on); every saved id is written once, before the crash
     * or after it, and after it with exactly the saved counts.
     */
    @Test
    void aRestartFromAnySaveWritesEverySavedIdOnceAndNoRecordCountsFewerThanTheSave() {
        for (long seed = 0; seed < 300; seed++) {
            Random random = new Random(seed);
            RecordBudget<String> b = new RecordBudget<>(1, 3, 5, Duration.ofMinutes(1), clock, key -> "*");
            Map<String, Long> told = new HashMap<>();
            Map<String, Long> written = new HashMap<>();
            List<RecordBudget.Summary<String>> inFlight = new ArrayList<>();
            int saveAt = random.nextInt(200);
            int crashAt = saveAt + random.nextInt(100);
            List<RecordBudget.Summary<String>> saved = null;
            for (int step = 0; step <= crashAt; step++) {
                if (step == saveAt) {
                    saved = b.unwritten();
                    Map<String, Long> unwrittenTold = new HashMap<>(told);
                    unwrittenTold.keySet().removeAll(written.keySet());
                    assertEquals(unwrittenTold, saved.stream().collect(Collectors.toMap(RecordBudget.Summary::auditId, RecordBudget.Summary::requests)),
                            "seed " + seed + ": the save holds every id told and not yet written, with the requests told it");
                }
                int op = random.nextInt(10);
                if (op < 5) {
                    RecordBudget.Decision d = b.admit("k" + random.nextInt(5), "search", 401);
                    if (!d.ownRecord()) told.merge(d.countedAs(), 1L, Long::sum);
                } else if (op < 6) {
                    clock.advance(Duration.ofSeconds(20 + random.nextInt(40)));
                } else if (op < 8) {
                    inFlight.addAll(b.takeSummaries(false));
                } else if (!inFlight.isEmpty()) {
                    RecordBudget.Summary<String> s = inFlight.remove(random.nextInt(inFlight.size()));
                    if (random.nextBoolean()) {
                        written.put(s.auditId(), s.requests());
                        b.written(s);
                    } else {
                        b.putBack(s);
                    }
                }
            }
            // the kill: a summary being written reached the trail, or left no record
            for (RecordBudget.Summary<String> s : inFlight) if (random.nextBoolean()) written.put(s.auditId(), s.requests());

            AlreadyWritten.Split<String> split = AlreadyWritten.split(saved, written);
            assertEquals(List.of(), split.shortfalls(), "seed " + seed + ": a record never counts fewer requests than a save of its id");
            RecordBudget<String> restarted = new RecordBudget<>(1, 3, 5, Duration.ofMinutes(1), clock, key -> "*");
            restarted.restore(split.unwritten());
            Map<String, Long> writtenAfter = new HashMap<>();
            for (int round = 0; round < 4; round++) {
                for (RecordBudget.Summary<String> s : restarted.takeSummaries(true)) {
                    assertNull(written.get(s.auditId()), "seed " + seed + ": " + s.auditId() + " written before the crash and again after");
                    assertNull(writtenAfter.put(s.auditId(), s.requests()), "seed " + seed + ": written twice after the restart");
                    restarted.written(s);
                }
            }
            for (RecordBudget.Summary<String> s : saved) {
                assertTrue(written.containsKey(s.auditId()) || writtenAfter.containsKey(s.auditId()), "seed " + seed + ": saved id not written");
                if (writtenAfter.containsKey(s.auditId())) assertEquals(s.requests(), writtenAfter.get(s.auditId()), "seed " + seed);
            }
            assertEquals(0, restarted.pendingRequests());
        }
    }
}
