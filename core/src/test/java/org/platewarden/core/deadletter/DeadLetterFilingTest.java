package org.platewarden.core.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.read.IsoInstant;
import org.platewarden.core.read.ReadInputReader;
import org.platewarden.core.read.ReadValidator;
import org.platewarden.core.retention.LocalFileRetention;

/** Which day's file a dead letter goes in, so its plate goes when its read's day does. */
class DeadLetterFilingTest {
    static final Instant WRITTEN = Instant.parse("2026-11-22T10:00:00Z");

    @TempDir
    Path dir;

    static DeadLetter written(Instant at, String payload) {
        return new DeadLetter(at, "gateway-http", "cam-001", "r-1", null, "unknown_field: x", null, payload, null, false);
    }

    @Test
    void aLetterWithItsPayloadIsFiledUnderTheEarlierOfItsWriteDayAndItsCaptureDay() {
        // captured earlier: the capture day
        DeadLetter earlier = written(WRITTEN, "{\"plate\":\"ABC123\"}").withCapturedAt(Instant.parse("2026-11-02T23:59:59Z"));
        assertEquals(LocalDate.parse("2026-11-02"), earlier.fileDay());
        // captured 1 minute after midnight, refused (in_future) one minute before it: the day it is written
        DeadLetter later = written(Instant.parse("2026-11-21T23:59:00Z"), "{\"plate\":\"ABC123\"}").withCapturedAt(Instant.parse("2026-11-22T00:01:00Z"));
        assertEquals(LocalDate.parse("2026-11-21"), later.fileDay());
        // no capture time known (unparseable, missing): the day it is written
        assertEquals(LocalDate.parse("2026-11-22"), written(WRITTEN, "not json").fileDay());
        // no payload, so no plate in it: visible to ops for the whole window from its refusal
        DeadLetter withheld = new DeadLetter(WRITTEN, "gateway-http", "cam-001", null, Instant.parse("2026-10-01T10:00:00Z"), "too_old: x",
                DeadLetter.PAST_RETENTION, null, null, false);
        assertEquals(LocalDate.parse("2026-11-22"), withheld.fileDay());
    }

    @Test
    void aCaptureTimeWithoutOffsetIsDatedByTheEarliestInstantItCanDenote() {
        assertEquals(Instant.parse("2026-11-01T20:00:00Z"), IsoInstant.earliest("2026-11-02T10:00:00"));
        assertEquals(Instant.parse("2026-11-01T23:59:59.5Z"), IsoInstant.earliest("2026-11-02 13:59:59.5"));
        assertEquals(Instant.parse("2026-11-02T10:00:00Z"), IsoInstant.earliest("2026-11-02T12:00:00+02:00"));
        assertNull(IsoInstant.earliest("2026-11-02"));
        assertNull(IsoInstant.earliest("yesterday"));
        assertNull(IsoInstant.earliest("2026-11-02T10:00:00+25:00"));

        // 11-02 local is inside a 21-day window at WRITTEN, but 14 h earlier it is 11-01, which is not
        ReadValidator validator = new ReadValidator(21, 300, Clock.fixed(WRITTEN, ZoneOffset.UTC));
        Instant dated = validator.captureTimeForRetention(read("2026-11-02T10:00:00"));
        assertEquals(Instant.parse("2026-11-01T20:00:00Z"), dated);
        assertTrue(validator.isPastRetention(dated));
        Instant later = validator.captureTimeForRetention(read("2026-11-02T14:00:00"));
        assertFalse(validator.isPastRetention(later));
        assertEquals(LocalDate.parse("2026-11-02"), written(WRITTEN, "{}").withCapturedAt(later).fileDay());
        assertNull(validator.captureTimeForRetention(read("not a time")));
        assertFalse(validator.isPastRetention(Instant.parse("2026-11-02T00:00:00Z")));
    }

    static org.platewarden.core.read.ReadInput read(String capturedAt) {
        try {
            return ReadInputReader.read(new ObjectMapper().readTree("{\"camera_id\":\"cam-001\",\"captured_at\":\"" + capturedAt + "\",\"plate\":\"ABC123\"}"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void oneAppendOfLettersOfSeveralDaysWritesEachToItsOwnFileInOrderAndRetentionDeletesThemByTheirReadsDay() throws Exception {
        Instant now = Instant.now();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant twentyDaysAgo = now.minus(Duration.ofDays(20));
        LocalDate thatDay = LocalDate.ofInstant(twentyDaysAgo, ZoneOffset.UTC);
        try (DeadLetterStore store = new DeadLetterStore(dir)) {
            store.appendAll(List.of(
                    DeadLetter.of("gateway-http", "cam-001", "a", "r", "{\"plate\":\"OLD1\"}").withCapturedAt(twentyDaysAgo),
                    DeadLetter.of("gateway-http", "cam-001", "b", "r", "{\"plate\":\"NEW1\"}").withCapturedAt(now),
                    DeadLetter.of("gateway-http", "cam-001", "c", "r", "not json"),
                    DeadLetter.of("gateway-http", "cam-001", "d", "r", "{\"plate\":\"OLD2\"}").withCapturedAt(twentyDaysAgo))).get();
            assertEquals(List.of(DeadLetterStore.fileName(thatDay), DeadLetterStore.fileName(today)), files());
            String old = Files.readString(dir.resolve(DeadLetterStore.fileName(thatDay)));
            assertTrue(old.indexOf("OLD1") < old.indexOf("OLD2") && !old.contains("NEW1"), old);
            assertEquals(4, store.readAll().size());
            assertEquals(4, store.writtenSinceStart());
        }
        // the plates of the reads captured 20 days ago go when their day + 21 days begins, not 21 days from today
        Instant thatDayExpires = thatDay.plusDays(21).atStartOfDay(ZoneOffset.UTC).toInstant();
        assertEquals(List.of(), retention(thatDayExpires.minusMillis(1)).runOnce().deleted());
        assertEquals(List.of(dir.resolve(DeadLetterStore.fileName(thatDay))), retention(thatDayExpires).runOnce().deleted());
        assertEquals(List.of(DeadLetterStore.fileName(today)), files());
    }

    private LocalFileRetention retention(Instant now) {
        return new LocalFileRetention(dir, dir.resolve("no-quarantine"), 21, Clock.fixed(now, ZoneOffset.UTC), null);
    }

    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anAppendFailsWhenAnyOfItsFilesCannotBeWritten() throws Exception {
        Instant now = Instant.now();
        Instant captured = now.minus(Duration.ofDays(5));
        // a directory where that day's file should be: it cannot be opened for appending
        Files.createDirectories(dir.resolve(DeadLetterStore.fileName(LocalDate.ofInstant(captured, ZoneOffset.UTC))));
        try (DeadLetterStore store = new DeadLetterStore(dir)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> store.appendAll(List.of(
                    DeadLetter.of("indexer", "cam-001", "a", "r", "today's"),
                    DeadLetter.of("indexer", "cam-001", "b", "r", "{\"plate\":\"X1\"}").withCapturedAt(captured))).get());
            assertTrue(e.getCause().getMessage().contains("dead-letter write"), e.toString());
            assertEquals(0, store.writtenSinceStart());
        }
    }

    @Test
    void aStoreThatKnowsRetentionWritesNoPayloadOfAReadWhoseDayExpiredBeforeItsLetterWasWritten() throws Exception {
        Instant now = Instant.now();
        Instant captured = now.minus(Duration.ofDays(21)); // its day expired at today's start at the latest
        DeadLetter built = DeadLetter.of("indexer", "cam-001", "cam-001:1:ABC123", "elasticsearch_refused: x", "{\"plate\":\"ABC123\"}")
                .withCapturedAt(captured);
        try (DeadLetterStore store = new DeadLetterStore(dir, 21, Clock.systemUTC())) {
            store.append(built).get();
            assertEquals(List.of(DeadLetterStore.fileName(LocalDate.ofInstant(now, ZoneOffset.UTC))), files());
            DeadLetter kept = store.readAll().get(0);
            assertNull(kept.payload());
            assertNull(kept.readId());
            assertEquals(DeadLetter.PAST_RETENTION, kept.payloadWithheld());
            assertEquals(captured, kept.capturedAt());
            assertEquals("elasticsearch_refused: x", kept.reason());
            assertFalse(Files.readString(dir.resolve(files().get(0))).contains("ABC123"));
        }
    }

    @Test
    void aLetterAfterATornLastLineStartsALineOfItsOwn() throws Exception {
        // a crash cut the file's last letter short (no newline): the next letter must not be glued to it
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Path file = dir.resolve(DeadLetterStore.fileName(today));
        String whole = "{\"at\":\"" + Instant.now() + "\",\"stage\":\"gateway-http\",\"camera_id\":\"cam-001\",\"reason\":\"r\"}\n";
        String torn = "{\"at\":\"" + Instant.now() + "\",\"stage\":\"gateway-http\",\"camera_id\":\"cam-001\",\"rea";
        Files.writeString(file, whole + torn);
        try (DeadLetterStore store = new DeadLetterStore(dir)) {
            store.append(DeadLetter.of("gateway-http", "cam-002", "after", "r", "not json")).get();
            store.append(DeadLetter.of("gateway-http", "cam-002", "next", "r", "not json")).get();
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(4, lines.size(), lines.toString());
        assertEquals(whole.strip(), lines.get(0));
        assertEquals(torn, lines.get(1), "the torn letter stays as it was, on its own line");
        ObjectMapper json = new ObjectMapper();
        assertEquals("after", json.readTree(lines.get(2)).get("read_id").asText(), "the next letter is whole and parses: " + lines.get(2));
        assertEquals("next", json.readTree(lines.get(3)).get("read_id").asText(), "and a file already checked gets no blank line: " + lines);
    }
}
