package org.platewarden.core.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.testkit.SettableClock;

/**
 * The start-up scan counts each camera's letters written today, exactly: what they take on disk, in
 * whichever file, whenever they were made; it reads files backwards in chunks, so lines of every size,
 * across chunk boundaries, add up.
 */
class QuotaRestoreTest {
    private static final LocalDate DAY = LocalDate.parse("2026-11-22");

    @TempDir
    Path dir;

    @Test
    void eachCamerasBytesOfTodayAreWhatItsLettersWrittenTodayTakeOnDisk() throws Exception {
        SettableClock clock = new SettableClock(DAY.minusDays(1).atTime(21, 0).toInstant(ZoneOffset.UTC));
        Random random = new Random(7);
        String[] cameras = {"cam-001", "cam-002", "cam-003"};
        Instant captured = DAY.minusDays(4).atTime(12, 0).toInstant(ZoneOffset.UTC);
        // the oracle: what each append added to the directory while the store's clock was on DAY
        Map<String, Long> expected = new HashMap<>();
        try (DeadLetterStore store = new DeadLetterStore(dir, 21, clock, 0, null)) {
            for (int i = 0; i < 600; i++) {
                if (i == 200) clock.advance(Duration.ofHours(2).plusMinutes(30)); // yesterday 23:30
                if (i == 250) clock.advance(Duration.ofHours(1)); // today 00:30
                // payloads from none to past 16 KiB characters, some not ASCII (3 bytes a character)
                String unit = random.nextInt(4) == 0 ? "\u20ac" : "x";
                String payload = random.nextInt(10) == 0 ? null : unit.repeat(random.nextInt(20_000));
                // one in eight was made before it is written, by up to three days: held back (a retry while the disk
                // failed, a letter made just before midnight), it stands among letters made later in its file
                Instant made = random.nextInt(8) == 0 ? clock.instant().minus(Duration.ofMinutes(random.nextInt(3 * 24 * 60))) : clock.instant();
                String camera = cameras[random.nextInt(3)];
                long before = bytesInDir();
                store.append(new DeadLetter(made, "gateway-mqtt", camera, null, null, "invalid_json: " + i, null, payload, null, false)
                        .withCapturedAt(random.nextBoolean() ? captured : null)).join();
                if (LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).equals(DAY)) expected.merge(camera, bytesInDir() - before, Long::sum);
                if (i % 97 == 0) clock.advance(Duration.ofMillis(random.nextInt(1000)));
            }
        }
        QuotaRestore.Result r = QuotaRestore.scan(dir, DAY, 21, () -> false);
        assertEquals(expected, r.bytes());
        assertEquals(0, r.unreadableLines());
        assertEquals(5, r.files(), "the files of today, yesterday, the capture day and the days letters held back were made");
    }

    /**
     * A letter held back and torn by a crash before its {@code stage} may have lost its
     * {@code written_at}: its day is not known, so it ends nothing; the letters of today before it count.
     */
    @Test
    void aTornLineWhoseDayIsNotKnownDoesNotEndTheCount() throws Exception {
        SettableClock clock = new SettableClock(DAY.atTime(2, 0).toInstant(ZoneOffset.UTC));
        Instant captured = DAY.minusDays(4).atTime(12, 0).toInstant(ZoneOffset.UTC);
        Path file = dir.resolve(DeadLetterStore.fileName(DAY.minusDays(4)));
        DeadLetter ofToday = new DeadLetter(clock.instant(), "gateway-http", "cam-001", null, captured, "r", null, "{}", null, false);
        try (DeadLetterStore store = new DeadLetterStore(dir, 21, clock, 0, null)) {
            store.append(ofToday).join();
        }
        long before = Files.size(file);
        // then a letter made yesterday, cut by a crash in its written_at
        Files.writeString(file, "{\"at\":\"" + DAY.minusDays(1).atTime(20, 0).toInstant(ZoneOffset.UTC) + "\",\"written_at\":\"2026-",
                java.nio.file.StandardOpenOption.APPEND);
        long torn = Files.size(file) - before;
        try (DeadLetterStore store = new DeadLetterStore(dir, 21, clock, 0, null)) {
            store.append(ofToday).join(); // after the restart, on a line of its own
        }
        QuotaRestore.Result r = QuotaRestore.scan(dir, DAY, 21, () -> false);
        assertEquals(Map.of("cam-001", 2 * before), r.bytes(), "both letters of today");
        assertEquals(1, r.unreadableLines());
        assertEquals(torn + 1, r.unattributedBytes(), "the torn one, with the newline the next start put after it");
    }

    private long bytesInDir() throws Exception {
        long sum = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) sum += Files.size(f);
        }
        return sum;
    }
}
