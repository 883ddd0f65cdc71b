package org.platewarden.core.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
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

/** The start-up scan reads files backwards in chunks: lines of every size, across chunk boundaries, add up to what is on disk. */
class QuotaRestoreTest {
    private static final LocalDate DAY = LocalDate.parse("2026-11-22");

    @TempDir
    Path dir;

    @Test
    void eachCamerasBytesOfTodayAreWhatItsLettersOfTodayTakeOnDisk() throws Exception {
        SettableClock clock = new SettableClock(DAY.minusDays(1).atTime(21, 0).toInstant(ZoneOffset.UTC));
        Random random = new Random(7);
        String[] cameras = {"cam-001", "cam-002", "cam-003"};
        Instant captured = DAY.minusDays(4).atTime(12, 0).toInstant(ZoneOffset.UTC);
        try (DeadLetterStore store = new DeadLetterStore(dir, 21, clock, 0, null)) {
            for (int i = 0; i < 600; i++) {
                if (i == 200) clock.advance(Duration.ofHours(2).plusMinutes(30)); // yesterday 23:30 (within the scan's slack)
                if (i == 250) clock.advance(Duration.ofHours(1)); // today 00:30
                // payloads from none to past 16 KiB characters, some not ASCII (3 bytes a character)
                String unit = random.nextInt(4) == 0 ? "\u20ac" : "x";
                String payload = random.nextInt(10) == 0 ? null : unit.repeat(random.nextInt(20_000));
                store.append(new DeadLetter(clock.instant(), "gateway-mqtt", cameras[random.nextInt(3)], null,
                        null, "invalid_json: " + i, null, payload, null, false)
                        .withCapturedAt(random.nextBoolean() ? captured : null)).join();
                if (i % 97 == 0) clock.advance(Duration.ofMillis(random.nextInt(1000)));
            }
        }
        Map<String, Long> expected = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    JsonNode n = json.readTree(line);
                    if (LocalDate.ofInstant(Instant.parse(n.get("at").asText()), ZoneOffset.UTC).equals(DAY)) {
                        expected.merge(n.get("camera_id").asText(), line.getBytes(StandardCharsets.UTF_8).length + 1L, Long::sum);
                    }
                }
            }
        }
        QuotaRestore.Result r = QuotaRestore.scan(dir, DAY, 21, () -> false);
        assertEquals(expected, r.bytes());
        assertEquals(0, r.unreadableLines());
        assertEquals(3, r.files(), "the files of today, yesterday and the capture day");
    }
}
