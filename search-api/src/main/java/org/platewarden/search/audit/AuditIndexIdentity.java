package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Objects;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.RestClient;
import org.platewarden.elasticsearch.ElasticsearchConnection;

/**
 * The identity of the audit index the node writes to: its uuid, which Elasticsearch gives each
 * index it creates. An index deleted and created again (by the node's next record, from the
 * template), or restored from a snapshot, has another; the records of the one before are then
 * gone from it though nothing failed, which only this tells. Blocking calls: the writer thread's.
 */
final class AuditIndexIdentity {
    private static final int TIMEOUT_MILLIS = 2_000;
    private final RestClient rest;
    private final String index;
    // the uuid last seen: null for no index
    private String known;

    AuditIndexIdentity(RestClient rest, String index) {
        this.rest = rest;
        this.index = index;
    }

    /** The index's uuid now, null when there is no such index. */
    String current() throws IOException {
        Request request = new Request("GET", "/" + index + "/_settings/index.uuid");
        request.addParameter("ignore_unavailable", "true");
        // the writer waits for it: a hung Elasticsearch must not hold the records queued behind it
        // for the connection's minute
        request.setOptions(ElasticsearchConnection.withTimeout(RequestOptions.DEFAULT, TIMEOUT_MILLIS));
        JsonNode settings = CanonicalJson.MAPPER.readTree(rest.performRequest(request).getEntity().getContent());
        JsonNode uuid = settings.path(index).path("settings").path("index").path("uuid");
        return uuid.isTextual() ? uuid.asText() : null;
    }

    String known() {
        return known;
    }

    void remember(String uuid) {
        known = uuid;
    }

    /** Whether the index now is another than the one last seen (or there is none now, or one now where there was none). */
    boolean changedFrom(String uuid) {
        return !Objects.equals(known, uuid);
    }
}
