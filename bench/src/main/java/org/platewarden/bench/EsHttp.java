package org.platewarden.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The few Elasticsearch REST calls the scenarios need, straight over HTTP (blocking; only used from plain threads). */
public final class EsHttp {
    static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public EsHttp(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    public String baseUrl() {
        return baseUrl;
    }

    public JsonNode send(String method, String path, byte[] body, String contentType) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(5));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) b.header("content-type", contentType);
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() >= 300 && r.statusCode() != 404) {
            throw new StatusException(r.statusCode(), method + " " + path + " -> " + r.statusCode() + ": "
                    + new String(r.body(), 0, Math.min(r.body().length, 500)));
        }
        return r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    public JsonNode json(String method, String path, Object body) throws IOException, InterruptedException {
        return send(method, path, body == null ? null : JSON.writeValueAsBytes(body), "application/json");
    }

    /** Searchable documents (no refresh forced: this is what a search would see now). */
    public long count(String indexPattern) throws IOException, InterruptedException {
        JsonNode r = send("GET", "/" + indexPattern + "/_count?ignore_unavailable=true&allow_no_indices=true", null, null);
        return r.path("count").asLong();
    }

    /** Elasticsearch answered with an error status (other than 404). */
    public static final class StatusException extends IOException {
        private final int status;

        StatusException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
