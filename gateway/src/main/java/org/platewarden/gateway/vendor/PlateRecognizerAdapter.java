package org.platewarden.gateway.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.platewarden.core.config.Camera;
import org.platewarden.core.read.IsoInstant;
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
    public String product() {
        return "Plate Recognizer";
    }

    @Override
    public List<IngestItem> toReads(JsonNode payload, Supplier<byte[]> sent, Camera camera) {
        // a body refused as a whole keeps, in its one dead letter, the bytes sent
        JsonNode data = payload.get("data");
        if (data == null || !data.isObject()) return List.of(IngestItem.vendorRefused(sent, "no data object", null));
        JsonNode results = data.get("results");
        if (results == null || !results.isArray()) return List.of(IngestItem.vendorRefused(sent, "data.results is not an array", null));
        if (results.isEmpty()) return List.of();
        String timestampText = VendorFields.text(data, "timestamp");
        Instant at = timestamp(timestampText);
        if (at == null) {
            // every result of the body is undated: one refusal for the body, whose dead letter keeps what
            // was sent (each result's letter once held a copy made up of the result and the timestamp)
            return List.of(IngestItem.vendorRefused(sent, (timestampText == null ? "data.timestamp is missing"
                    : "data.timestamp '" + VendorFields.printable(timestampText) + "' is not a date-time with a UTC offset (or Snapshot's UTC"
                    + " time without one)") + "; none of the body's " + results.size() + " result(s) was read", null));
        }
        List<IngestItem> items = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            JsonNode r = results.get(i);
            String name = "data.results[" + i + "]";
            // a result that is no object has no plate, but "plate is required" would not say what is wrong
            if (!r.isObject()) {
                items.add(IngestItem.vendorRefused(r.toString(), name + " must be an object, got " + VendorFields.sent(r), at));
                continue;
            }
            ObjectNode read = JsonNodeFactory.instance.objectNode();
            read.put(ReadFields.CAMERA_ID, camera.id());
            read.put(ReadFields.CAPTURED_AT, at.toString());
            VendorFields.putIfPresent(read, ReadFields.PLATE, VendorFields.text(r, "plate"));
            Double score;
            try {
                score = VendorFields.number(r, "score", name + ".score", 0, 1);
            } catch (VendorFields.FieldRefused e) {
                items.add(IngestItem.vendorRefused(r.toString(), e.getMessage(), at));
                continue;
            }
            if (score != null) read.put(ReadFields.PLATE_CONFIDENCE, score);
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

    /**
     * {@code data.timestamp}: a date-time with an offset, in the forms a native {@code captured_at} may
     * take ({@link IsoInstant}), or Snapshot's date-time without one, which is UTC; null when it is
     * neither.
     */
    static Instant timestamp(String text) {
        if (text == null) return null;
        try {
            return IsoInstant.parse(text);
        } catch (DateTimeException withOffset) {
            try {
                return IsoInstant.parse(text + "Z"); // Snapshot's time without an offset: UTC
            } catch (DateTimeException notEither) {
                return null;
            }
        }
    }
}
