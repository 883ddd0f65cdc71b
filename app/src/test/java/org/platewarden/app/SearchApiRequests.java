package org.platewarden.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Requests from a test to a search node's API (8081), each giving up after 30 s rather than hanging the test. */
final class SearchApiRequests {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SearchApiRequests() {
    }

    /**
     * @param authorization the {@code Authorization} header ({@code "Bearer …"}), or null for none
     * @param json          a JSON body, or null for none
     */
    static HttpResponse<String> send(PlatewardenNode node, String method, String path, String authorization, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.searchPort() + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) b.header("Authorization", authorization);
        if (json != null) b.header("Content-Type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
