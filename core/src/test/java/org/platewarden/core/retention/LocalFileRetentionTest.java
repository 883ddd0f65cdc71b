package org.platewarden.core.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.config.SpoolConfig;
import org.platewarden.core.spool.SegmentedSpool;

/** Dead-letter and spool quarantine files on a real disk, with the time set by a fixed clock. */
class LocalFileRetentionTest {
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @TempDir
    Path data;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    Path deadLetters() {
        return data.resolve("deadletter");
    }

    Path quarantine() {
        return data.resolve("spool").resolve("quarantine");
    }

    LocalFileRetention retention(Instant now, int days) {
        return new LocalFileRetention(deadLetters(), quarantine(), days, Clock.fixed(now, ZoneOffset.UTC), registry);
    }

    Path deadLetterFile(String day, int lines) throws Exception {
        Files.createDirectories(deadLetters());
        return Files.writeString(deadLetters().resolve("deadletter-" + day + ".ndjson"),
                "{\"at\":\"" + day + "T01:00:00Z\",\"plate\":\"ABC123\"}\n".repeat(lines));
    }

    Path quarantineFile(String name, Instant written) throws Exception {
        Files.createDirectories(quarantine());
        Path f = Files.writeString(quarantine().resolve(name), "damaged frame with a plate: ABC123");
        Files.setLastModifiedTime(f, FileTime.from(written));
        return f;
    }

    double counter(String name) {
        return registry.get(name).counter().count();
    }

    @Test
    void deadLetterFilesGoOnceTheirDayPlusRetentionHasBegunLikeTheDailyIndices() throws Exception {
        Path expired = deadLetterFile("2026-11-01", 3);   // 11-01 + 21 days = 11-22 00:00: expired at NOW
        Path older = deadLetterFile("2025-01-31", 1);
        Path lastDay = deadLetterFile("2026-11-02", 2);   // expires 11-23 00:00
        Path today = deadLetterFile("2026-11-22", 1);
        Path notOurs = Files.writeString(deadLetters().resolve("deadletter-2020-01-01.ndjson.bak"), "x");
        Path notADay = Files.writeString(deadLetters().resolve("deadletter-old.ndjson"), "x");

        // a millisecond before the day's end nothing is due yet
        LocalFileRetention.Pass before = retention(Instant.parse("2026-11-21T23:59:59.999Z"), 21).runOnce();
        assertEquals(List.of(older), before.deleted());
        assertTrue(Files.exists(expired));

        LocalFileRetention.Pass pass = retention(NOW, 21).runOnce();
        assertEquals(List.of(expired), pass.deleted());
        assertEquals(List.of(), pass.failed());
        assertFalse(Files.exists(expired));
        for (Path kept : List.of(lastDay, today, notOurs, notADay)) assertTrue(Files.exists(kept), kept.toString());
        assertEquals(2.0, counter("platewarden.deadletter.files.deleted"));
        assertEquals(0.0, counter("platewarden.deadletter.files.delete.failed"));
    }

    @Test
    void theFileBeingWrittenTodayIsNeverDeletedEvenWithOneDayOfRetention() throws Exception {
        try (DeadLetterStore store = new DeadLetterStore(deadLetters())) {
            store.append(DeadLetter.of("gateway-http", "cam-001", null, "plate_length: x", "{}")).get();
            Instant endOfToday = LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1);
            assertEquals(List.of(), retention(endOfToday, 1).runOnce().deleted());
            store.append(DeadLetter.of("gateway-http", "cam-001", null, "plate_length: y", "{}")).get();
            assertEquals(2, store.readAll().size());
        }
    }

    @Test
    void aFileThatCannotBeDeletedIsReportedAndRetriedWhileTheOthersGo() throws Exception {
        // a directory with something in it where a dead-letter file should be: it cannot be deleted
        Path blocked = Files.createDirectories(deadLetters().resolve("deadletter-2026-10-01.ndjson"));
        Files.writeString(blocked.resolve("inside"), "x");
        Path next = deadLetterFile("2026-10-02", 1);
        Path damage = quarantineFile("segment-1-at-64.bin", Instant.parse("2026-10-01T12:00:00Z"));

        LocalFileRetention retention = retention(NOW, 21);
        LocalFileRetention.Pass first = retention.runOnce();
        assertEquals(List.of(blocked), first.failed());
        assertEquals(List.of(next, damage), first.deleted());
        assertEquals(1.0, counter("platewarden.deadletter.files.delete.failed"));

        assertEquals(List.of(blocked), retention.runOnce().failed(), "tried again on the next pass");
        Files.delete(blocked.resolve("inside"));
        LocalFileRetention.Pass third = retention.runOnce();
        assertEquals(List.of(blocked), third.deleted());
        assertEquals(List.of(), third.failed());
        assertFalse(Files.exists(blocked));
        assertEquals(2.0, counter("platewarden.deadletter.files.delete.failed"));
    }

    @Test
    void spoolQuarantineFilesGoByTheDayTheyWereWritten() throws Exception {
        Path oldBytes = quarantineFile("segment-17-at-4096.bin", Instant.parse("2026-10-31T23:59:59Z"));
        Path oldNote = quarantineFile("segment-17-at-4096.json", Instant.parse("2026-10-31T23:59:59Z"));
        Path recent = quarantineFile("segment-90-gap-12.json", Instant.parse("2026-11-02T00:00:00Z"));
        Path fresh = quarantineFile("segment-95-at-128.bin", NOW.minus(1, ChronoUnit.HOURS));

        LocalFileRetention.Pass pass = retention(NOW, 21).runOnce();
        assertEquals(List.of(oldBytes, oldNote), pass.deleted());
        assertTrue(Files.exists(recent) && Files.exists(fresh));
        assertEquals(2.0, counter("platewarden.spool.quarantine.files.deleted"));
        assertEquals(0.0, counter("platewarden.deadletter.files.deleted"));
    }

    @Test
    void noDirectoryYetIsNoWorkAndStartRunsAPassAtOnceOnItsOwnThread() throws Exception {
        assertEquals(new LocalFileRetention.Pass(List.of(), List.of()), retention(NOW, 21).runOnce());

        Path expired = deadLetterFile("2026-10-01", 1);
        try (LocalFileRetention retention = retention(NOW, 21)) {
            retention.start(Duration.ofHours(1));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (Files.exists(expired) && System.nanoTime() < deadline) Thread.sleep(10);
            assertFalse(Files.exists(expired), "the start-up pass deleted it");
        }
    }

    @Test
    void aPassRetiresTheSpoolsNewestSegmentOnceItHoldsIndexedReadsSoTheirPlatesGo() throws Exception {
        Path spoolDir = data.resolve("spool");
        try (SegmentedSpool spool = SegmentedSpool.open(spoolDir, new SpoolConfig(1024 * 1024, 64L * 1024 * 1024))) {
            spool.append(List.of("{\"plate\":\"ZQXPRIV1\"}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
            spool.advanceCheckpoint(1); // indexed
            Path segment = spool.segmentFiles().get(0);
            LocalFileRetention retention = new LocalFileRetention(deadLetters(), spool, quarantine(), 21, Clock.fixed(NOW, ZoneOffset.UTC), registry);

            assertEquals(new LocalFileRetention.Pass(List.of(segment), List.of()), retention.runOnce());
            assertFalse(Files.exists(segment));
            try (Stream<Path> files = Files.list(spoolDir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertFalse(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains("ZQXPRIV1"), f + " keeps the plate");
                }
            }
            assertEquals(new LocalFileRetention.Pass(List.of(), List.of()), retention.runOnce(), "nothing more to retire");
        }
    }
}
