package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.platewarden.testkit.SettableClock;

/**
 * The audit ids of summary records: a counted request is told the id of the summary that counts it,
 * the summary is written with that id exactly once, and a tally is only ever merged with one of the
 * same id, whatever order windows close, summaries are handed over, written and put back in.
 */
class RecordBudgetTest {
    private static final Instant MINUTE = Instant.parse("2026-11-22T14:03:00Z");
    private final SettableClock clock = new SettableClock(MINUTE.plusSeconds(10));

    /** One record of its own per key a window; keys past {@code maxKeys} are counted under "*". */
    private RecordBudget<String> budget(int maxKeys) {
        return new RecordBudget<>(1, 1000, maxKeys, Duration.ofMinutes(1), clock, key -> "*");
    }

    /** A request of {@code key} past its budget: the id it is told. */
    private static String counted(RecordBudget<String> b, String key) {
        RecordBudget.Decision d = b.admit(key, "search", 401);
        assertNotNull(d.countedAs(), key + " was expected to be counted");
        return d.countedAs();
    }

    private static RecordBudget.Summary<String> only(List<RecordBudget.Summary<String>> summaries) {
        assertEquals(1, summaries.size(), summaries.toString());
        return summaries.get(0);
    }

    @Test
    void theRequestsOfAKeyCountedInAWindowAreToldOneIdAndItIsTheIdOfTheSummaryThatCountsThem() {
        RecordBudget<String> b = budget(10);
        RecordBudget.Decision own = b.admit("a", "search", 401);
        assertTrue(own.ownRecord());
        assertNull(own.countedAs());
        String a = counted(b, "a");
        assertEquals(a, counted(b, "a"));
        assertEquals(a, b.countUnrecorded("a", "search", 503), "a request whose own record failed joins the same summary");
        b.admit("b", "search", 401);
        String other = counted(b, "b");
        assertNotEquals(a, other, "each key its own summary");

        clock.advance(Duration.ofMinutes(1));
        Map<String, RecordBudget.Summary<String>> byKey = new HashMap<>();
        b.takeSummaries(false).forEach(s -> byKey.put(s.key(), s));
        assertEquals(a, byKey.get("a").auditId());
        assertEquals(3, byKey.get("a").requests());
        assertEquals(other, byKey.get("b").auditId());
        byKey.values().forEach(b::written);
        b.admit("a", "search", 401);
        String next = counted(b, "a");
        assertNotEquals(a, next, "a new window whose key has nothing unwritten: a new summary, a new id");
        assertEquals(0, b.takeSummaries(false).size(), "the window is open");
    }

    /** A summary whose write left no record keeps its id, and the key's next counts join it: their answers name it too. */
    @Test
    void aKeysNewTallyTakesTheIdOfItsSummaryPutBackAndTheSummaryWaitsForTheWindowsCloseToIncludeThem() {
        RecordBudget<String> b = budget(10);
        b.admit("a", "search", 401);
        String x = counted(b, "a");
        clock.advance(Duration.ofMinutes(1));
        RecordBudget.Summary<String> first = only(b.takeSummaries(false));
        assertEquals(x, first.auditId());
        b.putBack(first); // left no record
        assertEquals(first, only(b.takeSummaries(false)), "tried again at the next tick, with its id");
        b.putBack(first);

        b.admit("a", "search", 401);
        assertEquals(x, counted(b, "a"), "the new window's counts are told the unwritten summary's id");
        assertEquals(List.of(), b.takeSummaries(false),
                "not handed over while the open window counts into its id: written now, it would lack them");
        clock.advance(Duration.ofSeconds(30));
        assertEquals(x, counted(b, "a"));
        clock.advance(Duration.ofSeconds(30));
        RecordBudget.Summary<String> merged = only(b.takeSummaries(false));
        assertEquals(x, merged.auditId());
        assertEquals(3, merged.requests());
        assertEquals(MINUTE, merged.windowStart(), "spans both windows");
        assertEquals(MINUTE.plusSeconds(120), merged.windowEnd());
        b.written(merged);
        assertEquals(0, b.pendingRequests());
        assertEquals(List.of(), b.takeSummaries(true));
    }

    /** A summary being written may be written without further counts: they get a new id, and both are kept if it fails. */
    @Test
    void aKeyWhoseSummaryIsBeingWrittenGetsANewIdAndIfTheWriteLeftNoRecordBothAreWrittenOneAfterTheOther() {
        RecordBudget<String> b = budget(10);
        b.admit("a", "search", 401);
        String x = counted(b, "a");
        clock.advance(Duration.ofMinutes(1));
        RecordBudget.Summary<String> inFlight = only(b.takeSummaries(false));
        b.admit("a", "search", 401);
        String y = counted(b, "a");
        assertNotEquals(x, y, "x is being written: these counts cannot join it");
        b.putBack(inFlight); // its write left no record
        RecordBudget.Summary<String> retried = only(b.takeSummaries(false));
        assertEquals(x, retried.auditId(), "x, not the open window's y");
        assertEquals(1, retried.requests(), "merged with nothing");
        b.putBack(retried);

        clock.advance(Duration.ofMinutes(1)); // y's window closes: x and y both unwritten
        RecordBudget.Summary<String> older = only(b.takeSummaries(false));
        assertEquals(x, older.auditId(), "one of a key's summaries at a time, the oldest first");
        b.admit("a", "search", 401);
        assertEquals(y, counted(b, "a"), "a new tally joins the newest unwritten summary, not the one being written");
        b.written(older);
        assertEquals(List.of(), b.takeSummaries(false), "y waits for the open window that counts into it");
        clock.advance(Duration.ofMinutes(1));
        RecordBudget.Summary<String> newer = only(b.takeSummaries(false));
        assertEquals(y, newer.auditId());
        assertEquals(2, newer.requests(), "y's window and the one after it");
        b.written(newer);
        assertEquals(0, b.pendingRequests());
    }

    /** A write that failed after the record reached the trail is settled as written: never handed over again. */
    @Test
    void aSummarySettledAsWrittenIsNeverHandedOverAgainAndOnlyASummaryBeingWrittenCanBeSettled() {
        RecordBudget<String> b = budget(10);
        b.admit("a", "search", 401);
        counted(b, "a");
        clock.advance(Duration.ofMinutes(1));
        RecordBudget.Summary<String> s = only(b.takeSummaries(false));
        b.written(s);
        assertEquals(List.of(), b.takeSummaries(true));
        assertThrows(IllegalArgumentException.class, () -> b.putBack(s), "settled already");
        assertThrows(IllegalArgumentException.class, () -> b.written(s), "settled already");
        RecordBudget.Summary<String> made = new RecordBudget.Summary<>("z", "not-handed-over", MINUTE, MINUTE, 5, new java.util.TreeMap<>(),
                new java.util.TreeMap<>(), null, null);
        assertThrows(IllegalArgumentException.class, () -> b.putBack(made), "a summary it never handed over");
    }

    @Test
    void overflowTalliesFollowTheSameRules() {
        RecordBudget<String> b = budget(1);
        b.admit("a", "search", 401);
        String a = counted(b, "a");
        String star = counted(b, "b"); // the second key of the window: no record of its own, counted under "*"
        assertNotEquals(a, star);
        assertEquals(star, counted(b, "c"), "every key past the bound shares the overflow's summary");
        clock.advance(Duration.ofMinutes(1));
        List<RecordBudget.Summary<String>> first = b.takeSummaries(false);
        RecordBudget.Summary<String> overflow = first.stream().filter(s -> s.key().equals("*")).findFirst().orElseThrow();
        assertEquals(star, overflow.auditId());
        assertEquals(2, overflow.requests());
        first.forEach(b::putBack);
        b.admit("a", "search", 401);
        counted(b, "a");
        assertEquals(star, counted(b, "d"), "the overflow's new tally joins its summary put back");
    }

    /**
     * While writes fail, new keys cannot fold into old ones' tallies (each id was told): at most
     * 2·maxKeys keys have tallies, so a key new past that is counted under the overflow key.
     */
    @Test
    void whileWritesFailAtMostTwiceMaxKeysKeysHaveTalliesOfTheirOwn() {
        RecordBudget<String> b = budget(1);
        b.admit("a", "search", 401); // its one record of the window
        counted(b, "a");
        clock.advance(Duration.ofMinutes(1));
        b.putBack(only(b.takeSummaries(false)));
        b.admit("b", "search", 401);
        counted(b, "b");
        clock.advance(Duration.ofMinutes(1));
        List<RecordBudget.Summary<String>> two = b.takeSummaries(false);
        assertEquals(Set.of("a", "b"), Set.copyOf(two.stream().map(RecordBudget.Summary::key).toList()));
        two.forEach(b::putBack);

        b.admit("c", "search", 401);
        RecordBudget.Decision c = b.admit("c", "search", 401);
        clock.advance(Duration.ofMinutes(1));
        List<RecordBudget.Summary<String>> three = b.takeSummaries(false);
        assertEquals(Set.of("a", "b", "*"), Set.copyOf(three.stream().map(RecordBudget.Summary::key).toList()),
                "c is new once two keys (2·maxKeys) have tallies: counted under the overflow key");
        assertEquals(c.countedAs(), three.stream().filter(s -> s.key().equals("*")).findFirst().orElseThrow().auditId());
        three.forEach(b::putBack);
        b.admit("a", "search", 401);
        String a = counted(b, "a");
        assertEquals(three.stream().filter(s -> s.key().equals("a")).findFirst().orElseThrow().auditId(), a,
                "a key that has tallies takes no more room: its own, joining its summary put back");
    }

    /**
     * Any order of requests, window closes, hand-overs, writes and put-backs: each id is written
     * once, with exactly the requests that were told it; a key never has more than two ids told and
     * not yet written, nor more than one summary being written; and nothing is lost. Five keys and a
     * bound of five: no overflow, so each id told is its key's.
     */
    @Test
    void whateverHappensEachIdIsWrittenOnceWithExactlyTheRequestsToldItAndAKeyHasAtMostTwoUnwrittenIds() {
        for (long seed = 1; seed <= 300; seed++) {
            Random random = new Random(seed);
            RecordBudget<String> b = new RecordBudget<>(1, 3, 5, Duration.ofMinutes(1), clock, key -> "*");
            Map<String, Long> told = new HashMap<>();
            Map<String, Set<String>> idsOf = new HashMap<>();
            Map<String, Long> written = new HashMap<>();
            List<RecordBudget.Summary<String>> inFlight = new ArrayList<>();
            for (int step = 0; step < 400; step++) {
                int op = random.nextInt(10);
                if (op < 5) {
                    String key = "k" + random.nextInt(5);
                    RecordBudget.Decision d = b.admit(key, "search", 401);
                    if (!d.ownRecord()) {
                        told.merge(d.countedAs(), 1L, Long::sum);
                        idsOf.computeIfAbsent(key, k -> new HashSet<>()).add(d.countedAs());
                    }
                } else if (op < 6) {
                    clock.advance(Duration.ofSeconds(20 + random.nextInt(40)));
                } else if (op < 8) {
                    for (RecordBudget.Summary<String> s : b.takeSummaries(random.nextInt(10) == 0)) {
                        assertTrue(idsOf.get(s.key()).contains(s.auditId()), "seed " + seed + ": a summary has an id its key's requests were told");
                        assertTrue(inFlight.stream().noneMatch(f -> f.key().equals(s.key())), "seed " + seed + ": one of a key's at a time");
                        inFlight.add(s);
                    }
                } else if (!inFlight.isEmpty()) {
                    RecordBudget.Summary<String> s = inFlight.remove(random.nextInt(inFlight.size()));
                    if (random.nextBoolean()) {
                        assertNull(written.put(s.auditId(), s.requests()), "seed " + seed + ": id " + s.auditId() + " written twice");
                        b.written(s);
                    } else {
                        b.putBack(s);
                    }
                }
                for (Map.Entry<String, Set<String>> key : idsOf.entrySet()) {
                    long unwritten = key.getValue().stream().filter(id -> !written.containsKey(id)).count();
                    assertTrue(unwritten <= 2, "seed " + seed + ": " + key.getKey() + " has " + unwritten + " ids not yet written");
                }
            }
            // the trail takes writes again: everything is written
            inFlight.forEach(b::putBack);
            for (int round = 0; round < 4; round++) {
                for (RecordBudget.Summary<String> s : b.takeSummaries(true)) {
                    assertNull(written.put(s.auditId(), s.requests()), "seed " + seed + ": id " + s.auditId() + " written twice");
                    b.written(s);
                }
            }
            assertEquals(told, written, "seed " + seed + ": each id written once, counting exactly the requests told it");
            assertEquals(0, b.pendingRequests());
        }
    }
}
