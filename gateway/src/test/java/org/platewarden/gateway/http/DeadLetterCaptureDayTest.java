package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.retention.LocalFileRetention;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * A refused read's dead letter is filed under its capture day when that is earlier than the day of
 * the refusal, so the plate in it is deleted when the read's own day expires (21 days after its
 * capture day), not 21 days after the refusal. Real gateway and disk; the retention pass is run with
 * a fixed clock at the moments that matter.
 */
class DeadLetterCaptureDayTest {
    @TempDir
    Path dir;
    GatewayHarness gw;

    final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    final LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    final LocalDate twentyDaysAgo = today.minusDays(20);
    final Instant capturedTwentyDaysAgo = twentyDaysAgo.atTime(12, 0).toInstant(ZoneOffset.UTC);

    @BeforeEach
    void start() {
        gw = GatewayHarness.start(dir);
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    HttpResponse<String> post(String path, String camera, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + path))
                .header("Authorization", GatewayHarness.basic(camera, "demo-" + camera))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    LocalFileRetention retentionAt(Instant at) {
        return new LocalFileRetention(dir.resolve("deadletter"), dir.resolve("spool").resolve("quarantine"), 21,
                Clock.fixed(at, ZoneOffset.UTC), null);
    }

    Path fileOf(LocalDate day) {
        return dir.resolve("deadletter").resolve(DeadLetterStore.fileName(day));
    }

    List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve("deadletter"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aReadCapturedTwentyDaysAgoAndRefusedTodayIsDeletedWhenItsOwnDayExpires() throws Exception {
        // local times without an offset are dated 14 h earlier: 19 days ago at 10:00 is 20 days ago at 20:00 (kept,
        // in that day's file); 20 days ago at 10:00 is 21 days ago at 20:00, past retention (no plate kept)
        String offsetless = LocalDateTime.of(today.minusDays(19), java.time.LocalTime.of(10, 0)).toString();
        String offsetlessPast = LocalDateTime.of(twentyDaysAgo, java.time.LocalTime.of(10, 0)).toString();
        String body = String.join("\n",
                // refused for another field than its capture time
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + capturedTwentyDaysAgo + "\",\"plate\":\"OLD 2001\",\"colour\":\"red\"}",
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + offsetless + "\",\"plate\":\"LOC 2002\"}",
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + offsetlessPast + "\",\"plate\":\"LOC 2003\"}",
                // today's read refused: today's file, as before
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"X\"}",
                // no capture time to date it by: today's file
                "{\"camera_id\":\"cam-001\",\"plate\":\"NOT 2005\"}",
                Reads.read("cam-001", "NEW 2006"));
        HttpResponse<String> r = post("/v1/reads", "cam-001", body);
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(List.of("unknown_field", "invalid_field", "invalid_field", "plate_length", "missing_field"),
                GatewayHarness.JSON.readTree(r.body()).get("rejected").findValuesAsText("code"), r.body());

        assertEquals(List.of(DeadLetterStore.fileName(twentyDaysAgo), DeadLetterStore.fileName(today)), files());
        String old = Files.readString(fileOf(twentyDaysAgo));
        assertTrue(old.contains("OLD 2001") && old.contains("LOC 2002"), old);
        assertTrue(old.contains("\"captured_at\":\"" + capturedTwentyDaysAgo + "\""), old);
        assertTrue(old.contains("\"captured_at\":\"" + twentyDaysAgo + "T20:00:00Z\""), "dated local time - 14 h: " + old);
        String todays = Files.readString(fileOf(today));
        assertFalse(todays.contains("2003"), "an offsetless read that may be past retention keeps no plate: " + todays);
        assertTrue(todays.contains("\"captured_at\":\"" + twentyDaysAgo.minusDays(1) + "T20:00:00Z\"")
                && todays.contains("\"payload_withheld\":\"past_retention: "), todays);
        assertTrue(todays.contains("\\\"plate\\\":\\\"X\\\"") && todays.contains("NOT 2005"), todays);

        // the read's day expires at the start of its day + 21: a millisecond before, nothing goes
        Instant expires = twentyDaysAgo.plusDays(21).atStartOfDay(ZoneOffset.UTC).toInstant();
        assertEquals(List.of(), retentionAt(expires.minusMillis(1)).runOnce().deleted());
        assertEquals(List.of(fileOf(twentyDaysAgo)), retentionAt(expires).runOnce().deleted());
        assertEquals(List.of(DeadLetterStore.fileName(today)), files());
        for (DeadLetter l : gw.deadLetters()) {
            assertFalse(l.payload() != null && (l.payload().contains("OLD 2001") || l.payload().contains("LOC 2002")), l.toString());
        }
    }
}
