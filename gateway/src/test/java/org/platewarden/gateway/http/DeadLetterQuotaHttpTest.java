package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * A camera sending another camera's reads in bulk (10 POSTs of 10 000 wrote 62 MB of dead letters in
 * 3 s) is held to deadletter.max_bytes_per_camera_per_day: past it every read is still refused with
 * its reason in the answer, but its dead letter is not kept; one letter says so and the count is kept.
 */
class DeadLetterQuotaHttpTest {
    private static final long QUOTA = 1 << 20;

    @TempDir
    Path dir;
    GatewayHarness gw;

    @AfterEach
    void close() {
        if (gw != null) gw.close();
    }

    @Test
    void pastItsDailyQuotaACamerasRefusedReadsAreStillAnsweredWithTheirReasonButNotKept() throws Exception {
        gw = GatewayHarness.startWithConfig(dir, "{\"deadletter\":{\"max_bytes_per_camera_per_day\":" + QUOTA + "}}");
        int perRequest = 5_000;
        for (int request = 0; request < 2; request++) {
            StringJoiner body = new StringJoiner(",", "[", "]");
            for (int i = 0; i < perRequest; i++) body.add(Reads.read("cam-002", "WRONG" + (request * perRequest + i) % 100_000));
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/v1/reads"))
                    .header("Authorization", GatewayHarness.basic("cam-001", "demo-cam-001")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, r.statusCode(), r.body());
            JsonNode answer = GatewayHarness.JSON.readTree(r.body());
            assertEquals(0, answer.get("accepted").asInt());
            assertEquals(perRequest, answer.get("rejected").size(), "every read is refused, and the camera told why");
            for (JsonNode rejected : answer.get("rejected")) assertEquals("camera_mismatch", rejected.get("code").asText());
        }
        long bytes;
        try (Stream<Path> files = Files.list(gw.deadLetters.directory())) {
            bytes = files.mapToLong(f -> f.toFile().length()).sum();
        }
        assertTrue(bytes <= QUOTA + 4096, "the camera's dead letters stop at its quota: " + bytes + " bytes");
        List<DeadLetter> letters = gw.deadLetters();
        long kept = letters.stream().filter(l -> l.stage().equals(HttpIngestServer.STAGE)).count();
        assertTrue(kept > 100 && kept < 2 * perRequest, "kept " + kept);
        List<DeadLetter> notices = letters.stream().filter(l -> l.stage().equals(DeadLetterStore.QUOTA_STAGE)).toList();
        assertEquals(1, notices.size(), notices.toString());
        assertEquals("cam-001", notices.get(0).cameraId());
        assertEquals(2 * perRequest - kept, gw.registry.get("platewarden.deadletter.not.kept").functionCounter().count(), "counted");
    }
}
