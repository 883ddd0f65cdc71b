package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/** A test's requests to a node's ports on 127.0.0.1: ingest, search, health and metrics. */
final class NodeHttp {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private NodeHttp() {
    }

    static JsonObject searchUntilFound(PlatewardenNode node, String plate) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = post(node.searchPort(), "/v1/search", "Bearer demo-dpd-investigator", searchBody(plate));
            assertEquals(200, r.statusCode(), r.body());
            JsonObject answer = new JsonObject(r.body());
            if (answer.getInteger("total", 0) > 0) return answer.getJsonArray("hits").getJsonObject(0);
            last = r.body();
            Thread.sleep(300);
        }
        throw new AssertionError("read " + plate + " not searchable within 60 s; last answer " + last);
    }

    /** A search by DPD's demo investigator for a lawful purpose. */
    static HttpResponse<String> search(PlatewardenNode node, String plate) throws Exception {
        return post(node.searchPort(), "/v1/search", "Bearer demo-dpd-investigator", searchBody(plate));
    }

    static String searchBody(String plate) {
        return "{\"plate\":\"" + plate + "\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DPD-2026-000123\"}";
    }

    /** One read of {@code camera} (a demo camera, with its demo secret) over HTTP. */
    static HttpResponse<String> ingest(PlatewardenNode node, String camera, String readJson) throws Exception {
        return post(node.gatewayHttpPort(), "/v1/reads", basic(camera, "demo-" + camera), readJson);
    }

    static double metric(int port, String name) throws Exception {
        String body = get(port, "/metrics", null).body();
        return body.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not scraped"));
    }

    static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> post(int port, String path, String authorization, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", authorization)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        if (authorization != null) request.header("Authorization", authorization);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
