package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.core.read.IndexDocument;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * What a camera sends, as far as investigators see it, with every role in one process on the real
 * Elasticsearch node: a search never returns a read outside the window its answer states, though
 * captured_at may be sent with microseconds (Plate Recognizer) while Elasticsearch indexes
 * milliseconds; and a plate with a control character is refused and dead-lettered, never found.
 */
class ReadInputEndToEndIT {
    @TempDir
    static Path dataDir;
    private static PlatewardenNode node;
    private static String prefix;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** A whole second ten minutes ago: the reads below are captured in its last millisecond. */
    private static final Instant BASE = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.SECONDS);

    @BeforeAll
    static void start() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("e2e-input");
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("""
                {"node_id":"e2e-input","data_dir":"%s","index_prefix":"%s",
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

    /** BASE plus {@code fraction} of a second, as text: ".999999" gives ...:SS.999999Z. */
    private static String at(String fraction) {
        return BASE.toString().replace("Z", fraction + "Z");
    }

    @Test
    void aSearchNeverReturnsAReadOutsideTheWindowItStates() throws Exception {
        // Plate Recognizer sends microseconds: this read is captured after ...:SS.999Z
        String webhook = "{\"hook\":{\"event\":\"recognition\"},\"data\":{\"timestamp\":\"" + at(".999999")
                + "\",\"results\":[{\"plate\":\"mic001\",\"score\":0.9}]}}";
        HttpResponse<String> pr = post(node.gatewayHttpPort(), "/v1/reads/platerecognizer", basic("cam-001", "demo-cam-001"), webhook);
        assertEquals(202, pr.statusCode(), pr.body());
        assertEquals(1, new JsonObject(pr.body()).getInteger("accepted"), pr.body());
        // and this one at ...:SS.999Z exactly
        HttpResponse<String> milli = post(node.gatewayHttpPort(), "/v1/reads", basic("cam-001", "demo-cam-001"),
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + at(".999") + "\",\"plate\":\"EDG 0002\"}");
        assertEquals(1, new JsonObject(milli.body()).getInteger("accepted"), milli.body());
        searchUntilFound("MIC001");
        searchUntilFound("EDG0002");

        // kept to the millisecond: in the document, so in every hit
        JsonObject micro = search("MIC001", at(".999"), null);
        assertEquals(1, micro.getInteger("total"), micro.encode());
        assertEquals(at(".999"), micro.getJsonArray("hits").getJsonObject(0).getString("captured_at"));
        assertInsideItsWindow(micro);
        assertEquals(at(".999"), source(micro.getJsonArray("hits").getJsonObject(0).getString("read_id")).getString("captured_at"));
        assertEquals(0, search("MIC001", at(".998999"), null).getInteger("total"));

        // a from between two milliseconds: the read of the millisecond before it is outside
        JsonObject after = search("EDG0002", null, at(".9995"));
        assertEquals(0, after.getInteger("total"), after.encode());
        JsonObject from = search("EDG0002", null, at(".999"));
        assertEquals(1, from.getInteger("total"), from.encode());
        assertInsideItsWindow(from);
    }

    /**
     * A read a gateway from before this version stored with microseconds is still in its daily index
     * for up to 21 days: matched by its millisecond, it is shown at it, inside the window too.
     */
    @Test
    void aReadStoredWithMicrosecondsBeforeIsShownAtItsMillisecond() throws Exception {
        String readId = "cam-001:legacy-1";
        String doc = new JsonObject().put("read_id", readId).put("camera_id", "cam-001").put("agency", "DPD")
                .put("captured_at", at(".999999")).put("received_at", at(".999999")).put("plate", "LEG 0001").put("plate_norm", "LEG0001")
                .put("plate_ocr", OcrFolding.defaults().fold("LEG0001")).put("plate_len", 7).put("source", "platerecognizer").encode();
        String index = DailyIndex.name(prefix, BASE);
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(ElasticsearchFixture.url() + "/" + index + "/_doc/"
                        + URLEncoder.encode(readId, StandardCharsets.UTF_8) + "?refresh=true"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(IndexDocument.withPlateTerms(doc.getBytes(StandardCharsets.UTF_8)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());

        JsonObject until = search("LEG0001", at(".999"), null);
        assertEquals(1, until.getInteger("total"), until.encode());
        assertEquals(at(".999"), until.getJsonArray("hits").getJsonObject(0).getString("captured_at"));
        assertInsideItsWindow(until);
        assertEquals(0, search("LEG0001", null, at(".9995")).getInteger("total"));
    }

    /** The probe's plate: a NUL between its letters was stored, and shown to an investigator searching ABC1. */
    @Test
    void aPlateWithAControlCharacterIsRefusedDeadLetteredAndNeverFound() throws Exception {
        String now = Instant.now().minusSeconds(5).toString();
        HttpResponse<String> r = post(node.gatewayHttpPort(), "/v1/reads", basic("cam-001", "demo-cam-001"),
                "[{\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"NU\\u0000L1\"},"
                        + "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"NUL 2\"}]");
        assertEquals(202, r.statusCode(), r.body());
        JsonObject ack = new JsonObject(r.body());
        assertEquals(1, ack.getInteger("accepted"));
        assertEquals("invalid_character", ack.getJsonArray("rejected").getJsonObject(0).getString("code"), r.body());
        searchUntilFound("NUL2");
        assertEquals(0, search("NUL1", null, null).getInteger("total"));
        try (DeadLetterStore store = new DeadLetterStore(dataDir.resolve("deadletter"))) {
            DeadLetter letter = store.readAll().stream().filter(l -> l.reason().startsWith("invalid_character: plate holds U+0000"))
                    .findFirst().orElseThrow(() -> new AssertionError(store.readAll().toString()));
            assertTrue(letter.payload().contains("NU\\u0000L1"), letter.payload());
        }
    }

    /** Every hit's captured_at lies within the answer's window, bounds included. */
    private static void assertInsideItsWindow(JsonObject answer) {
        JsonObject window = answer.getJsonObject("window");
        Instant from = Instant.parse(window.getString("from"));
        Instant to = Instant.parse(window.getString("to"));
        JsonArray hits = answer.getJsonArray("hits");
        assertFalse(hits.isEmpty(), answer.encode());
        for (int i = 0; i < hits.size(); i++) {
            Instant captured = Instant.parse(hits.getJsonObject(i).getString("captured_at"));
            assertTrue(!captured.isBefore(from) && !captured.isAfter(to), captured + " outside " + window.encode());
        }
    }

    private static JsonObject source(String readId) throws Exception {
        HttpResponse<String> doc = HTTP.send(HttpRequest.newBuilder(URI.create(ElasticsearchFixture.url() + "/" + DailyIndex.name(prefix, BASE)
                + "/_doc/" + URLEncoder.encode(readId, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, doc.statusCode(), doc.body());
        return new JsonObject(doc.body()).getJsonObject("_source");
    }

    private static JsonObject searchUntilFound(String plate) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonObject last = null;
        while (System.nanoTime() < deadline) {
            last = search(plate, null, null);
            if (last.getInteger("total", 0) > 0) return last;
            Thread.sleep(300);
        }
        throw new AssertionError("read " + plate + " not searchable within 60 s; last answer " + last);
    }

    /** A search by the DPD investigator; {@code to} and {@code from} null: the window reaches an hour around BASE. */
    private static JsonObject search(String plate, String to, String from) throws Exception {
        JsonObject body = new JsonObject().put("plate", plate).put("purpose", "stolen_vehicle").put("case_number", "DPD-2026-000123")
                .put("from", from != null ? from : BASE.minus(Duration.ofHours(1)).toString())
                .put("to", to != null ? to : Instant.now().plusSeconds(60).toString());
        HttpResponse<String> r = post(node.searchPort(), "/v1/search", "Bearer demo-dpd-investigator", body.encode());
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body());
    }

    private static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> post(int port, String path, String authorization, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
