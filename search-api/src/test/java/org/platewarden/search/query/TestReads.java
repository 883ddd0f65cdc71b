package org.platewarden.search.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.config.Camera;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.read.IndexDocument;
import org.platewarden.core.read.ReadFields;
import org.platewarden.core.read.ReadResult;
import org.platewarden.core.read.ReadValidator;
import org.platewarden.core.read.StoredRead;

/**
 * Read documents exactly as the gateway stores them (made by the gateway's {@link ReadValidator}),
 * and bulk loading straight into the daily indices of a test prefix.
 */
final class TestReads {
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** One read to store; {@code hold} non-null makes it a copy in the holds index. */
    record Read(String readId, String cameraId, String agency, Instant capturedAt, String plate, String region,
                Double lat, Double lon, Map<String, String> vehicle, Map<String, Object> extra) {
        /** the id as the gateway stores it, scoped to its camera, so {@code _id} and hits carry it */
        Read {
            readId = ReadValidator.scopedToCamera(cameraId, readId);
            extra = Map.copyOf(extra);
        }

        Read(String readId, String cameraId, String agency, Instant capturedAt, String plate, String region,
             Double lat, Double lon, Map<String, String> vehicle) {
            this(readId, cameraId, agency, capturedAt, plate, region, lat, lon, vehicle, Map.of());
        }

        /** The same read sent with more of a read's fields ({@code heading_deg}, {@code image_ref}, ...). */
        Read with(Map<String, Object> fields) {
            return new Read(readId, cameraId, agency, capturedAt, plate, region, lat, lon, vehicle, fields);
        }

        static Read of(String readId, String cameraId, String agency, Instant capturedAt, String plate) {
            return new Read(readId, cameraId, agency, capturedAt, plate, null, null, null, Map.of());
        }

        long capturedAtMs() {
            return capturedAt.toEpochMilli();
        }
    }

    private TestReads() {
    }

    /**
     * The document the gateway stores for this read: the raw read goes through the gateway's own
     * {@link ReadValidator} (validated as if it arrived a second after capture, so old test reads
     * are not refused for retention), so the test data cannot drift from production documents.
     */
    static ObjectNode document(Read r) {
        ObjectNode raw = MAPPER.createObjectNode();
        raw.put(ReadFields.READ_ID, r.readId());
        raw.put(ReadFields.CAMERA_ID, r.cameraId());
        raw.put(ReadFields.CAPTURED_AT, r.capturedAt().toString());
        raw.put(ReadFields.PLATE, r.plate());
        raw.put(ReadFields.PLATE_CONFIDENCE, 0.9);
        if (r.region() != null) raw.put(ReadFields.REGION, r.region());
        if (r.lat() != null) raw.putObject(ReadFields.LOCATION).put("lat", r.lat()).put("lon", r.lon());
        if (!r.vehicle().isEmpty()) {
            ObjectNode v = raw.putObject(ReadFields.VEHICLE);
            r.vehicle().forEach(v::put);
        }
        r.extra().forEach((field, value) -> raw.set(field, MAPPER.valueToTree(value)));
        ReadValidator validator = new ReadValidator(21, 300, Clock.fixed(r.capturedAt().plusSeconds(1), ZoneOffset.UTC));
        ReadResult result = validator.validate(raw, new Camera(r.cameraId(), r.agency(), null, null), "http");
        if (!(result instanceof StoredRead stored)) throw new IllegalArgumentException("gateway refuses test read " + r + ": " + result);
        try {
            return (ObjectNode) MAPPER.readTree(IndexDocument.withPlateTerms(stored.document())); // as the indexer sends it
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Bulk-indexes reads into their daily indices (id = read id, as the indexer does), in batches,
     * two requests at a time. The indices are created first with refresh off (the caller refreshes
     * once at the end), so a large load does not build thousands of tiny segments.
     */
    static void bulkLoad(RestClient rest, String prefix, List<Read> reads, int batch) {
        java.util.Set<String> indices = new java.util.TreeSet<>();
        for (Read r : reads) indices.add(DailyIndex.name(prefix, r.capturedAt()));
        for (String index : indices) {
            Request create = new Request("PUT", "/" + index);
            create.setJsonEntity("{\"settings\":{\"index.refresh_interval\":\"-1\"}}");
            perform(rest, create);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<?>> pending = new java.util.ArrayList<>();
            for (int from = 0; from < reads.size(); from += batch) {
                List<Read> slice = reads.subList(from, Math.min(reads.size(), from + batch));
                pending.add(pool.submit(() -> bulk(rest, ndjson(prefix, slice))));
            }
            for (java.util.concurrent.Future<?> f : pending) f.get();
        } catch (Exception e) {
            throw new IllegalStateException("bulk load failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static String ndjson(String prefix, List<Read> reads) {
        StringBuilder body = new StringBuilder(reads.size() * 1200);
        for (Read r : reads) {
            ObjectNode action = MAPPER.createObjectNode();
            action.putObject("index").put("_index", DailyIndex.name(prefix, r.capturedAt())).put("_id", r.readId());
            body.append(action).append('\n').append(document(r)).append('\n');
        }
        return body.toString();
    }

    /**
     * Indexes a hold copy of a read into {@code <prefix>-holds} and its hold's definition into
     * {@code <prefix>-holds-meta} (searches show a copy only while its definition is in force), as
     * {@code HoldService} writes them; {@code released}: the definition says so.
     */
    static void hold(RestClient rest, String prefix, Read r, String holdId, String agency, boolean released) {
        ObjectNode doc = document(r);
        ObjectNode hold = doc.putObject("hold");
        hold.put("hold_id", holdId).put("case_number", "CASE-" + holdId).put("reason", "test hold")
                .put("agency", agency).put("created_by", "sup").put("created_at", "2026-01-01T00:00:00Z")
                .put("until", "2027-01-01T00:00:00Z"); // HoldService requires an until date on every hold
        ObjectNode definition = MAPPER.createObjectNode();
        definition.set("hold", hold.deepCopy());
        if (released) ((ObjectNode) definition.get("hold")).put("released_at", "2026-01-02T00:00:00Z").put("released_by", "sup");
        ObjectNode action = MAPPER.createObjectNode();
        action.putObject("index").put("_index", prefix + "-holds").put("_id", holdId + ":" + r.readId());
        ObjectNode defined = MAPPER.createObjectNode();
        defined.putObject("index").put("_index", prefix + "-holds-meta").put("_id", holdId);
        bulk(rest, action + "\n" + doc + "\n" + defined + "\n" + definition + "\n");
    }

    static void refresh(RestClient rest, String prefix) {
        perform(rest, new Request("POST", "/" + prefix + "-*/_refresh"));
    }

    private static void bulk(RestClient rest, String ndjson) {
        Request request = new Request("POST", "/_bulk");
        request.addParameter("filter_path", "errors,items.*.error");
        request.setJsonEntity(ndjson);
        String response = perform(rest, request);
        if (response.contains("\"errors\":true")) {
            throw new IllegalStateException("bulk had errors: " + response.substring(0, Math.min(2000, response.length())));
        }
    }

    static String perform(RestClient rest, Request request) {
        try {
            Response response = rest.performRequest(request);
            return new String(response.getEntity().getContent().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
