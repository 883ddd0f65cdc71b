package org.platewarden.gateway.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.core.config.Camera;
import org.platewarden.core.read.ReadFields;
import org.platewarden.gateway.ingest.IngestItem;

/**
 * Plate Recognizer webhooks (Stream "recognition" and Snapshot "image.done" events):
 * {@code {"hook":{...},"data":{"camera_id","timestamp","results":[{"plate","score","region":{"code"},
 * "vehicle":{"type"},"model_make":[{"make","model"}],"color":[{"color"}]}]}}}. One read per result;
 * a payload with no results (nothing recognised) yields no item. Stream timestamps carry a zone;
 * Snapshot's "2025-09-09 23:22:38.030345" has none and is documented as UTC.
 */
public final class PlateRecognizerAdapter implements VendorAdapter {
    public static final String SOURCE = "platerecognizer";

    @Override
    public String source() {
        return SOURCE;
    }

    @Override
    public List<IngestItem> toReads(JsonNode payload, Camera camera) {
        JsonNode data = payload.get("data");
        if (data == null || !data.isObject()) return List.of(IngestItem.vendorRefused(payload.toString(), "no data object"));
        JsonNode results = data.get("results");
        if (results == null || !results.isArray()) return List.of(IngestItem.vendorRefused(payload.toString(), "data.results is not an array"));
        String timestampText = VendorFields.text(data, "timestamp");
        Instant at = timestamp(timestampText);
        List<IngestItem> items = new ArrayList<>(results.size());
        for (JsonNode r : results) {
            if (at == null) {
                // the dead letter keeps the result and the time it was refused for, so ops see why and can resend it
                ObjectNode refused = JsonNodeFactory.instance.objectNode();
                refused.set("timestamp", data.get("timestamp"));
                refused.set("result", r);
                items.add(IngestItem.vendorRefused(refused.toString(), timestampText == null ? "data.timestamp is missing"
                        : "data.timestamp '" + timestampText + "' is not a date-time"));
                continue;
            }
            ObjectNode read = JsonNodeFactory.instance.objectNode();
            read.put(ReadFields.CAMERA_ID, camera.id());
            read.put(ReadFields.CAPTURED_AT, at.toString());
            VendorFields.putIfPresent(read, ReadFields.PLATE, VendorFields.text(r, "plate"));
            JsonNode score = r.get("score");
            if (score != null && score.isNumber()) read.put(ReadFields.PLATE_CONFIDENCE, score.doubleValue());
            VendorFields.putIfPresent(read, ReadFields.REGION, VendorFields.upper(VendorFields.text(r.get("region"), "code")));
            ObjectNode v = JsonNodeFactory.instance.objectNode();
            VendorFields.putIfPresent(v, "type", VendorFields.text(r.get("vehicle"), "type"));
            JsonNode mm = r.get("model_make");
            if (mm != null && mm.isArray() && !mm.isEmpty()) {
                VendorFields.putIfPresent(v, "make", VendorFields.text(mm.get(0), "make"));
                VendorFields.putIfPresent(v, "model", VendorFields.text(mm.get(0), "model"));
            }
            VendorFields.putIfPresent(v, "color", VendorFields.firstName(r.get("color"), "color"));
            if (!v.isEmpty()) read.set(ReadFields.VEHICLE, v);
            items.add(IngestItem.parsed(read));
        }
        return items;
    }

    static Instant timestamp(String text) {
        if (text == null) return null;
        try {
            return OffsetDateTime.parse(text.replace(' ', 'T')).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
