package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** One registry write per day per start; a failed one is tried again with the day's next bulk, not before. */
class RecordedDaysTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 12);
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-13T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void aDayIsWrittenOnceUntilAWriteFailsThenAgainWithItsNextBulk() {
        List<LocalDate> writes = new ArrayList<>();
        List<CompletableFuture<Void>> answers = new ArrayList<>();
        DayRecorder scripted = (day, at) -> {
            writes.add(day);
            CompletableFuture<Void> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        };
        RecordedDays days = new RecordedDays(scripted, Runnable::run, clock, 21);

        days.indexed(Set.of(DAY));
        days.indexed(Set.of(DAY)); // while the first write is under way: not a second one
        assertEquals(1, writes.size());

        answers.get(0).completeExceptionally(new RuntimeException("503"));
        assertEquals(0, days.known());
        days.indexed(Set.of(DAY)); // the day's next bulk tries again
        assertEquals(2, writes.size());

        answers.get(1).complete(null);
        assertEquals(1, days.known());
        days.indexed(Set.of(DAY, DAY.plusDays(1)));
        assertEquals(List.of(DAY, DAY, DAY.plusDays(1)), writes, "a recorded day is not written again; a new day is");
    }
}
