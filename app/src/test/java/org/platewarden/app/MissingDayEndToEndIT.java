package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.elasticsearch.client.Request;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * Every role in one process: reads of two days go in through the gateway, one day's index is then
 * deleted by hand (not by retention); a search over both days answers the other day's read and names
 * the lost day ({@code missing_days}), its audit record does too, and the ops index view lists the day
 * as missing.
 */
class MissingDayEndToEndIT {
    @TempDir
    static Path dataDir;
    private static PlatewardenNode node;
    private static String prefix;

    @BeforeAll
    static void start() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("e2emissing");
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("""
                {"node_id":"e2e-missing","data_dir":"%s","index_prefix":"%s",
                 "gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0,"event_loops":1},
                 "search":{"host":"127.0.0.1","port":0},
                 "indexer":{"bulk_max_wait_ms":50}}""".formatted(dataDir.toString().replace("\\", "/"), prefix));
        node = new PlatewardenNode(config, EnumSet.allOf(Role.class)).start(ElasticsearchFixture.url(), 0);
    }

    @AfterAll
    static void stop() {
        if (node != null) node.close();
        ElasticsearchFixture.deletePrefix(prefix);
    }

    @Test
    void aDayIndexDeletedByHandIsNamedBySearchAuditAndOpsIndices() throws Exception {
        Instant today = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        Instant yesterday = today.minus(Duration.ofDays(1));
        LocalDate lostDay = DailyIndex.day(yesterday);
        for (Instant at : new Instant[] {today, yesterday}) {
            HttpResponse<String> ingest = NodeHttp.ingest(node, "cam-001",
                    "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + at + "\",\"plate\":\"MSD 4711\"}");
            assertEquals(202, ingest.statusCode(), ingest.body());
        }
        String window = ",\"from\":\"" + yesterday.minus(Duration.ofDays(1)) + "\",\"to\":\"" + today.plusSeconds(1) + "\"";
        searchUntil(window, a -> a.getInteger("total") == 2);
        // the day recorded once its reads landed: ops sees nothing missing yet
        awaitOpsIndices(views -> views.stream().map(JsonObject.class::cast).noneMatch(v -> "missing".equals(v.getString("kind"))));

        try (ElasticsearchConnection es = new ElasticsearchConnection(ElasticsearchFixture.url())) {
            es.rest().performRequest(new Request("DELETE", "/" + DailyIndex.name(prefix, lostDay)));
        }

        // a search node reads the registry at most every 5 s: the next searches name the day
        JsonObject answer = searchUntil(window, a -> a.containsKey("missing_days"));
        assertEquals(1, answer.getInteger("total"), answer.encode());
        assertEquals(new JsonArray().add(lostDay.toString()), answer.getJsonArray("missing_days"));
        assertTrue(answer.getString("warning").contains(lostDay.toString()), answer.encode());

        String auditId = answer.getString("audit_id");
        HttpResponse<String> audit = NodeHttp.get(node.searchPort(), "/v1/audit?user=dpd.investigator&format=json", "Bearer demo-dpd-auditor");
        assertEquals(200, audit.statusCode(), audit.body());
        JsonObject record = new JsonObject(audit.body()).getJsonArray("records").stream().map(JsonObject.class::cast)
                .filter(r -> auditId.equals(r.getString("audit_id"))).findFirst().orElseThrow(() -> new AssertionError(audit.body()));
        assertEquals(new JsonArray().add(lostDay.toString()), record.getJsonArray("missing_days"), record.encode());

        JsonArray views = awaitOpsIndices(v -> true);
        JsonObject missing = views.stream().map(JsonObject.class::cast).filter(v -> "missing".equals(v.getString("kind")))
                .findFirst().orElseThrow(() -> new AssertionError(views.encode()));
        assertEquals(lostDay.toString(), missing.getString("day"));
        assertTrue(missing.getString("note").contains("other than retention"), missing.encode());

        // ops indices refreshed the gauge
        assertEquals(1.0, NodeHttp.metric(node.searchPort(), "platewarden_read_days_missing"));

        HttpResponse<String> verify = NodeHttp.get(node.searchPort(), "/v1/audit/verify", "Bearer demo-dpd-auditor");
        assertTrue(new JsonObject(verify.body()).getBoolean("ok"), verify.body());
    }

    private static JsonObject searchUntil(String window, Predicate<JsonObject> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonObject last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = NodeHttp.post(node.searchPort(), "/v1/search", "Bearer demo-dpd-investigator",
                    "{\"plate\":\"MSD4711\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DPD-2026-000123\"" + window + "}");
            assertEquals(200, r.statusCode(), r.body());
            last = new JsonObject(r.body());
            if (done.test(last)) return last;
            Thread.sleep(300);
        }
        throw new AssertionError("no such answer within 60 s; last " + last);
    }

    private static JsonArray awaitOpsIndices(Predicate<JsonArray> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = NodeHttp.get(node.searchPort(), "/v1/ops/indices", "Bearer demo-dpd-ops");
            last = r.body();
            if (r.statusCode() == 200) {
                JsonArray indices = new JsonObject(r.body()).getJsonArray("indices");
                if (done.test(indices)) return indices;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("ops indices not as expected within 60 s; last " + last);
    }
}
