package org.platewarden.search.query;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.elasticsearch.client.Request;
import org.platewarden.core.read.CaptureTime;
import org.platewarden.core.read.ReadFields;

/**
 * Builds the hits of one ranked page in rank order. The daily reads' documents come with the
 * ranked page query; held copies on the page are fetched here ({@code _mget} by index and id, only
 * the fields a hit shows). A held copy gone between the scan and the fetch is left out rather than
 * shown half-empty.
 */
final class HitFetcher {
    /** What a read may carry besides the fields every hit has; a hit has each only when its read does. */
    static final List<String> OPTIONAL_FIELDS = List.of(ReadFields.PLATE_CONFIDENCE, ReadFields.HEADING_DEG, ReadFields.LANE,
            ReadFields.IMAGE_REF);
    static final List<String> SOURCE_FIELD_LIST = java.util.stream.Stream.concat(java.util.stream.Stream.of(ReadFields.READ_ID,
            ReadFields.PLATE, ReadFields.CAMERA_ID, ReadFields.AGENCY, ReadFields.CAPTURED_AT, ReadFields.LOCATION,
            ReadFields.VEHICLE, ReadFields.REGION), OPTIONAL_FIELDS.stream()).toList();
    static final String SOURCE_FIELDS = String.join(",", SOURCE_FIELD_LIST);

    private final ElasticsearchCalls es;

    HitFetcher(ElasticsearchCalls es) {
        this.es = es;
    }

    /**
     * @param known the documents the ranked page query already returned, by {@link #key}; only the
     *              page's other hits (held copies) are fetched
     */
    Future<List<JsonObject>> fetch(Context context, List<Candidate> page, Map<String, JsonObject> known, String opaqueId,
                                   SearchDeadline deadline) {
        JsonArray docs = new JsonArray();
        for (Candidate c : page) {
            if (!known.containsKey(key(c.index(), c.docId()))) docs.add(new JsonObject().put("_index", c.index()).put("_id", c.docId()));
        }
        if (docs.isEmpty()) return Future.succeededFuture(hits(page, known));
        Request request = new Request("POST", "/_mget");
        request.addParameter("_source_includes", SOURCE_FIELDS);
        request.addParameter("filter_path", "docs._index,docs._id,docs.found,docs._source");
        request.setJsonEntity(new JsonObject().put("docs", docs).encode());
        ElasticsearchCalls.tag(request, opaqueId);
        return es.perform(context, request, in -> new JsonObject(Buffer.buffer(in.readAllBytes())), deadline)
                .map(response -> {
                    Map<String, JsonObject> sources = new HashMap<>(known);
                    JsonArray found = response.getJsonArray("docs", new JsonArray());
                    for (int i = 0; i < found.size(); i++) {
                        JsonObject doc = found.getJsonObject(i);
                        if (Boolean.TRUE.equals(doc.getBoolean("found")) && doc.getJsonObject("_source") != null) {
                            sources.put(key(doc.getString("_index"), doc.getString("_id")), doc.getJsonObject("_source"));
                        }
                    }
                    return hits(page, sources);
                });
    }

    private static List<JsonObject> hits(List<Candidate> page, Map<String, JsonObject> sources) {
        List<JsonObject> hits = new ArrayList<>(page.size());
        for (Candidate c : page) {
            JsonObject src = sources.get(key(c.index(), c.docId()));
            if (src == null) continue;
            JsonObject hit = new JsonObject()
                    .put(ReadFields.READ_ID, c.readId())
                    .put(ReadFields.PLATE, src.getValue(ReadFields.PLATE))
                    .put(ReadFields.CAMERA_ID, src.getValue(ReadFields.CAMERA_ID))
                    .put(ReadFields.AGENCY, src.getValue(ReadFields.AGENCY))
                    // to the millisecond, the precision it was matched at, also for a read stored before the gateway cut it
                    .put(ReadFields.CAPTURED_AT, CaptureTime.shown(src.getValue(ReadFields.CAPTURED_AT)))
                    .put(ReadFields.LOCATION, src.getValue(ReadFields.LOCATION))
                    .put(ReadFields.VEHICLE, src.getValue(ReadFields.VEHICLE))
                    .put(ReadFields.REGION, src.getValue(ReadFields.REGION));
            // how sure the camera was, and the image crop: how an investigator confirms an OCR or edit match
            for (String field : OPTIONAL_FIELDS) {
                if (src.getValue(field) != null) hit.put(field, src.getValue(field));
            }
            hits.add(hit.put("match", new JsonObject().put("kind", c.match().kind().jsonName()).put("edits", c.match().edits()))
                    .put("score", c.match().score())
                    .put("held", c.held()));
        }
        return hits;
    }

    static String key(String index, String id) {
        return index + '\u0000' + id;
    }
}
