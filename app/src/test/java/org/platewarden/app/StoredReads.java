package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.platewarden.testkit.ElasticsearchFixture;

/** Reads stored straight into a test's daily indices, as the indexer would, for nodes that run without it. */
final class StoredReads {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private StoredReads() {
    }

    /** Stores a read of DPD's camera {@code cam-001} in the daily index of {@code prefix} for {@code at}, refreshed. */
    static void store(String prefix, String readId, String plate, Instant at) throws Exception {
        String norm = org.platewarden.core.plate.PlateNormalizer.normalize(plate);
        String doc = new JsonObject().put("read_id", readId).put("camera_id", "cam-001").put("agency", "DPD")
                .put("captured_at", at.toString()).put("received_at", at.toString()).put("plate", plate).put("plate_norm", norm)
                .put("plate_ocr", org.platewarden.core.plate.OcrFolding.defaults().fold(norm)).put("plate_len", norm.length())
                .put("source", "http").encode();
        String index = org.platewarden.core.index.DailyIndex.name(prefix, at);
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(ElasticsearchFixture.url() + "/" + index + "/_doc/"
                        + java.net.URLEncoder.encode(readId, StandardCharsets.UTF_8) + "?refresh=true"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(org.platewarden.core.read.IndexDocument.withPlateTerms(
                        doc.getBytes(StandardCharsets.UTF_8)))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
    }
}
