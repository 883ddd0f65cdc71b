package org.platewarden.core.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.testkit.SettableClock;

/**
 * A camera cannot fill the disk with dead letters (wrong-camera reads in bulk wrote 20 MB/s, kept 21
 * days on the disk the audit journal needs): past its bytes per UTC day its letters are not kept,
 * one letter says the quota was reached, and one more how many were not kept when the day closes.
 */
class DeadLetterQuotaTest {
    private static final long QUOTA = 20_000;

    @TempDir
    Path dir;

    @Test
    void aCamerasLettersPastItsDailyQuotaAreCountedNotKeptAndTheDayCloseSaysHowMany() throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2026-11-22T23:00:00Z"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeadLetterStore store = new DeadLetterStore(dir, 21, clock, QUOTA, registry);
        String payload = "x".repeat(1000);
        for (int i = 0; i < 100; i++) {
            store.append(DeadLetter.of("gateway-http", "cam-001", null, "camera_mismatch: read " + i, payload)).join();
        }
        store.append(DeadLetter.of("gateway-http", "cam-002", null, "camera_mismatch: another camera", payload)).join();

        // DeadLetter.of dates a letter by the system clock and the notice by the store's, so they may be in two files: all of them count
        long onDisk = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) onDisk += Files.size(f);
        }
        assertTrue(onDisk > QUOTA - 1_100 && onDisk < QUOTA + 3_000, "cam-001's letters stop at its quota (+ cam-002's and the notice): " + onDisk + " bytes");
        List<DeadLetter> letters = store.readAll();
        List<DeadLetter> cam1 = letters.stream().filter(l -> l.cameraId().equals("cam-001") && l.stage().equals("gateway-http")).toList();
        int kept = cam1.size();
        assertTrue(kept > 10 && kept < 100, "kept " + kept);
        List<DeadLetter> notices = letters.stream().filter(l -> l.stage().equals(DeadLetterStore.QUOTA_STAGE)).toList();
        assertEquals(1, notices.size(), "one letter says the quota was reached: " + notices);
        assertTrue(notices.get(0).reason().startsWith("deadletter_quota: camera cam-001 reached its 20000 bytes"), notices.get(0).reason());
        assertEquals(1, letters.stream().filter(l -> l.cameraId().equals("cam-002")).count(), "another camera's letters are kept");
        // past the notice a small letter that would still fit the bytes left is not kept either, as the notice says
        long keptBefore = cam1.size();
        store.append(DeadLetter.of("gateway-http", "cam-001", null, "missing_field: tiny", "{}")).join();
        assertEquals(keptBefore, store.readAll().stream().filter(l -> l.cameraId().equals("cam-001") && l.stage().equals("gateway-http")).count());
        assertEquals(101 - kept, store.notKept());
        assertEquals(101 - kept, registry.get("platewarden.deadletter.not.kept").functionCounter().count());

        // the next day: the camera's quota is new, and the first write closes the day before with its count
        clock.advance(Duration.ofHours(2));
        store.append(DeadLetter.of("gateway-http", "cam-001", null, "camera_mismatch: next day", payload)).join();
        letters = store.readAll();
        List<DeadLetter> counts = letters.stream().filter(l -> l.stage().equals(DeadLetterStore.QUOTA_STAGE)).skip(1).toList();
        assertEquals(1, counts.size(), letters.toString());
        assertEquals("deadletter_quota: " + (101 - kept) + " dead letter(s) of camera cam-001 on 2026-11-22 were not kept: over its 20000"
                + " bytes of dead letters per day", counts.get(0).reason());
        assertTrue(letters.stream().anyMatch(l -> l.reason().equals("camera_mismatch: next day")), "a new day, a new quota");
        store.close();
    }

    @Test
    void closingTheStoreWritesTheCountOfTheDaySoFar() {
        SettableClock clock = new SettableClock(Instant.parse("2026-11-22T12:00:00Z"));
        DeadLetterStore store = new DeadLetterStore(dir, 21, clock, QUOTA, null);
        for (int i = 0; i < 40; i++) store.append(DeadLetter.of("gateway-mqtt", "cam-009", null, "invalid_json: " + i, "y".repeat(1000))).join();
        long notKept = store.notKept();
        assertTrue(notKept > 0);
        store.close();
        List<DeadLetter> quota = new DeadLetterStore(dir).readAll().stream().filter(l -> l.stage().equals(DeadLetterStore.QUOTA_STAGE)).toList();
        assertEquals(2, quota.size(), quota.toString());
        assertEquals("deadletter_quota: " + notKept + " dead letter(s) of camera cam-009 on 2026-11-22 (until the node stopped) were not kept:"
                + " over its 20000 bytes of dead letters per day", quota.get(1).reason());
    }
}
