package org.platewarden.core.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.testkit.SettableClock;

/**
 * A restart does not give a camera its dead-letter quota of the day afresh: a camera reconnecting
 * after every restart, or a crash-looping node, could otherwise write the quota again each time. The
 * new store counts each camera's letters of today from the files, whichever file they were filed in.
 */
class DeadLetterQuotaRestartTest {
    private static final long QUOTA = 30_000;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final LocalDate DAY = LocalDate.parse("2026-11-22");

    @TempDir
    Path dir;

    /** A letter made now by {@code clock} (the store counts by its clock; {@link DeadLetter#of} uses the system's). */
    private static DeadLetter letter(SettableClock clock, String camera, Instant capturedAt) {
        return new DeadLetter(clock.instant(), "gateway-http", camera, null, capturedAt, "camera_mismatch: another camera's read", null,
                "x".repeat(1000), null, false);
    }

    private DeadLetterStore store(SettableClock clock) {
        return new DeadLetterStore(dir, 21, clock, QUOTA, null);
    }

    @Test
    void aRestartKeepsEachCamerasBytesOfTheDayWhicheverFileTheyWentIn() throws Exception {
        SettableClock clock = new SettableClock(DAY.minusDays(1).atTime(20, 0).toInstant(java.time.ZoneOffset.UTC));
        Instant fiveDaysAgo = clock.instant().minus(Duration.ofDays(5));
        DeadLetterStore first = store(clock);
        // yesterday: letters that must not count today, some in the file of their capture day
        for (int i = 0; i < 20; i++) first.append(letter(clock, "cam-001", i % 2 == 0 ? fiveDaysAgo : null)).join();
        clock.advance(Duration.ofHours(6)); // 02:00 today
        // today: some in today's file, some behind yesterday's letters in the file of 5 days ago
        for (int i = 0; i < 18; i++) first.append(letter(clock, "cam-001", i % 2 == 0 ? fiveDaysAgo : null)).join();
        first.append(letter(clock, "cam-002", null)).join();
        long before = bytesOfDay("cam-001", DAY);
        assertTrue(before > QUOTA / 2 && before < QUOTA, "near, not at, the quota: " + before);
        first.close();

        DeadLetterStore second = store(clock); // the restart
        for (int i = 0; i < 30; i++) second.append(letter(clock, "cam-001", null)).join();
        long after = bytesOfDay("cam-001", DAY);
        long size = lineBytes(letter(clock, "cam-001", null));
        assertTrue(after <= QUOTA, "the quota holds across the restart: " + after + " bytes of cam-001's letters today, quota " + QUOTA);
        assertTrue(after + size > QUOTA, "and is met: one more letter would not fit (" + after + " + " + size + ")");
        assertEquals((QUOTA - before) / size, (after - before) / size, "the letters that fit after the restart were kept");
        assertEquals(30 - (QUOTA - before) / size, second.notKept());
        assertEquals(1, quotaLetters("cam-001", DAY, "reached its").size(), "one notice");

        // another camera's quota is its own: cam-002 had one letter; as many more as fit beside it are kept
        long cam2Before = bytesOfDay("cam-002", DAY);
        for (int i = 0; i < 40; i++) second.append(letter(clock, "cam-002", null)).join();
        long cam2 = bytesOfDay("cam-002", DAY);
        assertEquals(cam2Before + (QUOTA - cam2Before) / size * size, cam2);
        second.close();

        // a camera at its quota before a restart gets no second notice after it; its letters are still left out
        DeadLetterStore third = store(clock);
        for (int i = 0; i < 3; i++) third.append(letter(clock, "cam-001", null)).join();
        assertEquals(3, third.notKept());
        assertEquals(after, bytesOfDay("cam-001", DAY));
        assertEquals(1, quotaLetters("cam-001", DAY, "reached its").size(), "the notice of the day is not written again");
        third.close();
        assertEquals(2, quotaLetters("cam-001", DAY, "(until the node stopped)").size(), "each run that left letters out writes its count");

        // a new UTC day starts afresh
        clock.advance(Duration.ofDays(1));
        DeadLetterStore nextDay = store(clock);
        for (int i = 0; i < 40; i++) nextDay.append(letter(clock, "cam-001", null)).join();
        assertEquals(QUOTA / size * size, bytesOfDay("cam-001", DAY.plusDays(1)));
        nextDay.close();
    }

    /**
     * Files are appended in the order letters are written, not made: a letter made yesterday and
     * written today (the indexer retrying it while the dead-letter disk failed) stands behind letters of
     * today in its file. It counts against today's quota, as when it was written, and hides none of the
     * letters written before it today from the restart: the restarted store keeps exactly the letters
     * one store running throughout keeps.
     */
    @Test
    void aLetterMadeBeforeTodayAndWrittenTodayHidesNoneOfTodaysLettersFromTheRestart() throws Exception {
        Run restarted = heldBackRun(dir.resolve("restarted"), true);
        Run throughout = heldBackRun(dir.resolve("throughout"), false);
        assertTrue(throughout.notKept > 0 && throughout.notKept < 30, "the quota is met after the restart's point: " + throughout.notKept);
        assertEquals(throughout.kept.size(), restarted.kept.size(), "the restart kept as many letters as one run keeps");
        assertEquals(throughout.kept, restarted.kept, "and the same");
        assertEquals(throughout.notKept, restarted.notKept);
    }

    private record Run(List<String> kept, long notKept) {
    }

    /** Letters of yesterday, of today, two made yesterday and written today among them, then (after a restart) 30 more. */
    private Run heldBackRun(Path in, boolean restart) throws Exception {
        SettableClock clock = new SettableClock(DAY.minusDays(1).atTime(20, 0).toInstant(java.time.ZoneOffset.UTC));
        Instant fiveDaysAgo = clock.instant().minus(Duration.ofDays(5));
        int n = 0;
        DeadLetterStore store = new DeadLetterStore(in, 21, clock, QUOTA, null);
        for (int i = 0; i < 10; i++) store.append(letter(clock, "cam-001", i % 2 == 0 ? fiveDaysAgo : null, n++)).join();
        // made at yesterday 20:00, written today: one in the file of 5 days ago (its read's), one in yesterday's
        DeadLetter heldInOld = letter(clock, "cam-001", fiveDaysAgo, n++);
        DeadLetter heldInYesterdays = letter(clock, "cam-001", null, n++);
        clock.advance(Duration.ofHours(6)); // 02:00 today
        for (int i = 0; i < 8; i++) store.append(letter(clock, "cam-001", i % 2 == 0 ? fiveDaysAgo : null, n++)).join();
        store.appendAll(List.of(heldInOld, heldInYesterdays)).join();
        for (int i = 0; i < 6; i++) store.append(letter(clock, "cam-001", i % 2 == 0 ? fiveDaysAgo : null, n++)).join();
        long notKept = store.notKept();
        if (restart) {
            store.close();
            store = new DeadLetterStore(in, 21, clock, QUOTA, null);
        }
        for (int i = 0; i < 30; i++) store.append(letter(clock, "cam-001", null, n++)).join();
        notKept += store.notKept();
        store.close();
        List<String> kept = new java.util.ArrayList<>();
        try (var files = Files.list(in)) {
            for (Path f : files.sorted().toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    JsonNode l = JSON.readTree(line);
                    if (!DeadLetterStore.QUOTA_STAGE.equals(l.path("stage").asText())) kept.add(l.path("reason").asText());
                }
            }
        }
        kept.sort(null);
        return new Run(kept, notKept);
    }

    private static DeadLetter letter(SettableClock clock, String camera, Instant capturedAt, int n) {
        DeadLetter l = letter(clock, camera, capturedAt);
        return new DeadLetter(l.at(), l.stage(), l.cameraId(), null, capturedAt, l.reason() + " " + n, null, l.payload(), null, false);
    }

    /**
     * A tail torn by a crash cannot stop the start: one whose start names its camera (torn in the
     * payload) counts against it, one that names nothing counts against no camera, and the letters
     * before it in its file are still counted.
     */
    @Test
    void aTornTailCountsAgainstTheCameraItNamesAndNeverStopsTheStart() throws Exception {
        SettableClock clock = new SettableClock(DAY.atTime(9, 0).toInstant(java.time.ZoneOffset.UTC));
        Instant threeDaysAgo = clock.instant().minus(Duration.ofDays(3));
        DeadLetterStore first = store(clock);
        for (int i = 0; i < 5; i++) first.append(letter(clock, "cam-001", null)).join();
        for (int i = 0; i < 5; i++) first.append(letter(clock, "cam-001", threeDaysAgo)).join();
        first.close();
        long written = bytesOfDay("cam-001", DAY);
        long size = lineBytes(letter(clock, "cam-001", null));
        long room = QUOTA - written;
        // a crash in the middle of a write, in the payload of a letter of cam-001 (in today's file), long
        // enough that counting it leaves room for one letter less ...
        String whole = JSON.writeValueAsString(letter(clock, "cam-001", null));
        int tornLength = (int) Math.max(room % size + 1, whole.indexOf("\"payload\"") + 20);
        assertTrue(tornLength < size && (room - tornLength) / size < room / size, "the torn letter makes a difference: " + tornLength);
        String torn = whole.substring(0, tornLength);
        Files.writeString(dir.resolve(DeadLetterStore.fileName(DAY)), torn, StandardOpenOption.APPEND);
        // ... and one in the first bytes of a letter (in the file of three days ago)
        String garbage = "{\"at\":\"2026-11-";
        Files.writeString(dir.resolve(DeadLetterStore.fileName(DAY.minusDays(3))), garbage, StandardOpenOption.APPEND);

        DeadLetterStore second = store(clock);
        for (int i = 0; i < 30; i++) second.append(letter(clock, "cam-001", null)).join();
        second.close();
        assertEquals(30 - (room - tornLength) / size, second.notKept(),
                "the torn letter's bytes count against cam-001, the garbage against none, the letters before it still do");
    }

    /** The bytes of a camera's letters made on {@code day}, in every file, as the store writes them (with the newline). */
    private long bytesOfDay(String camera, LocalDate day) throws IOException {
        long sum = 0;
        for (String[] line : lines()) {
            JsonNode n = parse(line[0]);
            if (n == null || !camera.equals(n.path("camera_id").asText()) || DeadLetterStore.QUOTA_STAGE.equals(n.path("stage").asText())) continue;
            if (LocalDate.ofInstant(Instant.parse(n.path("at").asText()), java.time.ZoneOffset.UTC).equals(day)) {
                sum += line[0].getBytes(StandardCharsets.UTF_8).length + 1;
            }
        }
        return sum;
    }

    private List<JsonNode> quotaLetters(String camera, LocalDate day, String saying) throws IOException {
        return lines().stream().map(l -> parse(l[0])).filter(n -> n != null && DeadLetterStore.QUOTA_STAGE.equals(n.path("stage").asText())
                && camera.equals(n.path("camera_id").asText()) && n.path("reason").asText().contains(saying)
                && n.path("reason").asText().contains(day.toString())).toList();
    }

    private List<String[]> lines() throws IOException {
        try (var files = Files.list(dir)) {
            return files.sorted().flatMap(f -> {
                try {
                    return Files.readAllLines(f, StandardCharsets.UTF_8).stream();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(l -> new String[] {l}).toList();
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            return null; // a torn line
        }
    }

    /** What a letter takes in its file: its line and the newline. */
    private static long lineBytes(DeadLetter letter) throws IOException {
        return JSON.writeValueAsString(letter).getBytes(StandardCharsets.UTF_8).length + 1L;
    }
}
