package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Saved tallies whose id the trail has a record of are dropped, and a record counting fewer is reported. */
class AlreadyWrittenTest {
    private static final Instant MINUTE = Instant.parse("2026-11-22T14:03:00Z");

    private static RecordBudget.Summary<String> tally(String id, long requests) {
        return new RecordBudget.Summary<>("10.0.0.7", id, MINUTE, MINUTE.plusSeconds(60), requests, new TreeMap<>(Map.of(401, requests)),
                new TreeMap<>(Map.of("search", requests)), MINUTE, MINUTE);
    }

    @Test
    void talliesWithARecordOfTheirIdAreDroppedAndTheRestKept() {
        RecordBudget.Summary<String> unwritten = tally("u", 4);
        RecordBudget.Summary<String> sameCount = tally("same", 3);
        RecordBudget.Summary<String> moreInTheRecord = tally("more", 2);
        AlreadyWritten.Split<String> split = AlreadyWritten.split(List.of(unwritten, sameCount, moreInTheRecord),
                Map.of("same", 3L, "more", 5L, "someone-elses", 1L));
        assertEquals(List.of(unwritten), split.unwritten());
        assertEquals(List.of(sameCount, moreInTheRecord), split.written());
        assertEquals(List.of(), split.shortfalls(), "a record with the saved counts, or more counted after the save: as the id rules have it");
        assertEquals(4, split.requests(split.unwritten()));
        assertEquals(5, split.requests(split.written()));
    }

    @Test
    void aRecordCountingFewerThanTheSaveIsDroppedAllTheSameAndReported() {
        AlreadyWritten.Split<String> split = AlreadyWritten.split(List.of(tally("fewer", 7)), Map.of("fewer", 5L));
        assertEquals(List.of(), split.unwritten(), "an id is written once: a second record of it cannot be");
        assertEquals(List.of("fewer (recorded 5 request(s), saved 7)"), split.shortfalls());
    }
}
