package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.http.HttpHost;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.platewarden.templates.TemplateInstaller;
import org.platewarden.templates.TemplateResources;
import org.platewarden.testkit.ElasticsearchFixture;

/** Test helpers: a REST client on the shared node, templates under a test prefix, raw calls. */
public final class AuditEsSupport {
    private AuditEsSupport() {
    }

    public static RestClient restClient() {
        URI uri = URI.create(ElasticsearchFixture.url());
        return RestClient.builder(new HttpHost(uri.getHost(), uri.getPort(), uri.getScheme())).build();
    }

    public static void installTemplates(RestClient rest, String prefix) {
        new TemplateInstaller(rest, new TemplateResources(prefix, 21)).install();
    }

    public static JsonNode call(RestClient rest, String method, String path, String body) {
        try {
            Request r = new Request(method, path);
            if (body != null) r.setEntity(new NStringEntity(body, ContentType.APPLICATION_JSON));
            return CanonicalJson.MAPPER.readTree(rest.performRequest(r).getEntity().getContent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The audit id of the record of a node at a seq (after a refresh). */
    public static String auditIdAt(RestClient rest, String index, long seq) {
        call(rest, "POST", "/" + index + "/_refresh", null);
        JsonNode hits = call(rest, "POST", "/" + index + "/_search",
                "{\"query\":{\"term\":{\"seq\":" + seq + "}}}").path("hits").path("hits");
        if (hits.size() != 1) throw new AssertionError("expected one record at seq " + seq + ", got " + hits);
        return hits.get(0).path("_id").asText();
    }

    /** The hash of the record at a seq, as the index holds it (after a refresh). */
    public static String hashAt(RestClient rest, String index, long seq) {
        return call(rest, "GET", "/" + index + "/_doc/" + auditIdAt(rest, index, seq), null).path("_source").path("hash").asText();
    }

    /**
     * Forges the record after {@code headSeq} in the index as someone with write access to it could:
     * a copy of the head's content with the next seq, linked to the head and correctly hashed.
     * Returns its audit id.
     */
    public static String forgeNext(RestClient rest, String index, long headSeq) {
        JsonNode head = call(rest, "GET", "/" + index + "/_doc/" + auditIdAt(rest, index, headSeq), null).path("_source");
        com.fasterxml.jackson.databind.node.ObjectNode forged = ((com.fasterxml.jackson.databind.node.ObjectNode) head).deepCopy();
        String id = java.util.UUID.randomUUID().toString();
        forged.put(AuditDocument.AUDIT_ID, id);
        forged.put(AuditDocument.SEQ, headSeq + 1);
        forged.put(AuditDocument.PREV_HASH, head.path(AuditDocument.HASH).asText());
        forged.put(AuditDocument.HASH, AuditDocument.hashOf(forged));
        call(rest, "PUT", "/" + index + "/_create/" + id + "?refresh=true", CanonicalJson.write(forged));
        return id;
    }

    public static AuditEntry entry(int i) {
        return new AuditEntry("search", "user-" + i, "DPD", Set.of("investigator"), "stolen_vehicle", "DPD-2026-" + i,
                CanonicalJson.parse("{\"plate\":\"AB" + i + "\",\"purpose\":\"stolen_vehicle\",\"limit\":10}"),
                "127.0.0.1", "allowed", null, 200, 1, List.of("read-" + i));
    }

    /** The entry of a request refused before anyone was authenticated, as the search API records it (a 401). */
    public static AuditEntry anonymousEntry(int i) {
        return new AuditEntry("search", AuditEntry.ANONYMOUS, null, Set.of(), "stolen_vehicle", "NO-TOKEN-" + i,
                CanonicalJson.parse("{\"plate\":\"AB" + i + "\",\"purpose\":\"stolen_vehicle\"}"),
                "127.0.0.1", "unauthorized", "missing bearer token", 401, 0, List.of());
    }

    /**
     * What is logged while {@code run} runs: slf4j-simple, the tests' binding, writes each line to
     * whatever {@code System.err} is at the time.
     */
    public static String logOf(Runnable run) {
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        err.print(log);
        return log;
    }

    public static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("future failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public static Throwable awaitFailure(Future<?> future) {
        try {
            future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected the future to fail");
    }
}
