package org.platewarden.search.query;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.search.auth.Principal;
import org.platewarden.templates.TemplateInstaller;
import org.platewarden.templates.TemplateResources;
import org.platewarden.testkit.ElasticsearchFixture;

/** A real Elasticsearch node, a test prefix with the real templates, and a way to call the service from a test thread. */
final class SearchHarness implements AutoCloseable {
    static final Principal DPD = new Principal("dpd.investigator", "DPD", Set.of("investigator"), "token");
    static final Principal ACSO = new Principal("acso.investigator", "ACSO", Set.of("investigator"), "token");
    static final Principal FED = new Principal("fed.investigator", "FED", Set.of("investigator"), "token");
    static final Principal AUDITOR = new Principal("dpd.auditor", "DPD", Set.of("auditor"), "token");

    final Vertx vertx = Vertx.vertx();
    final ElasticsearchConnection es = new ElasticsearchConnection(ElasticsearchFixture.url());
    final String prefix;
    final Instant now;

    SearchHarness(String topic, Instant now) {
        this.prefix = ElasticsearchFixture.uniquePrefix(topic);
        this.now = now;
        new TemplateInstaller(es.rest(), new TemplateResources(prefix, 21)).install();
    }

    /** A search body for a DPD investigator's case, without OCR folding, over {@code from..to}. */
    static JsonObject body(String plate, String from, String to) {
        return new JsonObject().put("plate", plate).put("ocr", false).put("from", from).put("to", to)
                .put("purpose", "stolen_vehicle").put("case_number", "DPD-2026-000123");
    }

    /** The hits' read ids, in rank order. */
    static List<String> readIds(SearchOutcome o) {
        JsonArray hits = o.body().getJsonArray("hits");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < hits.size(); i++) out.add(hits.getJsonObject(i).getString("read_id"));
        return out;
    }

    PlatewardenConfig config(String searchOverrides) {
        return PlatewardenConfig.demoConfig().with("{\"index_prefix\":\"" + prefix + "\",\"search\":" + searchOverrides + "}");
    }

    SearchService service(PlatewardenConfig config, RecordingAuditLog audit, SearchLimits limits) {
        return new SearchService(vertx, config, es.rest(), audit, Clock.fixed(now, ZoneOffset.UTC), OcrFolding.defaults(), limits);
    }

    /** Calls the service on a Vert.x event loop, as the HTTP router does, and waits for the outcome. */
    SearchOutcome search(SearchService service, Principal principal, JsonObject body) {
        Promise<SearchOutcome> promise = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> {
            Future<SearchOutcome> f = service.search(principal, body, org.platewarden.search.audit.ClientAddress.direct("198.51.100.7"));
            f.onComplete(promise);
        });
        try {
            return promise.future().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("search did not complete", e);
        }
    }

    @Override
    public void close() {
        try {
            ElasticsearchFixture.deletePrefix(prefix);
        } finally {
            es.close();
            vertx.close();
        }
    }
}
