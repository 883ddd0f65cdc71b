package org.platewarden.gateway.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.platewarden.core.config.Camera;
import org.platewarden.core.read.ReadFields;
import org.platewarden.gateway.ingest.IngestItem;

/**
 * OpenALPR / Rekor Scout {@code alpr_group} results (the agent's "JSON Group Results", one per
 * vehicle): best_plate_number, best_confidence (0-100), epoch_start (ms), best_region,
 * gps_latitude/gps_longitude, travel_direction and the ranked vehicle attributes
 * (vehicle.make/color/body_type/make_model[0].name). Other data types (per-frame
 * {@code alpr_results}, alerts) are refused with a reason: the webhook should send groups only;
 * {@code alpr_heartbeat} is not a read and yields no item.
 */
public final class OpenAlprAdapter implements VendorAdapter {
    public static final String SOURCE = "openalpr";

    @Override
    public String source() {
        return SOURCE;
    }

    @Override
    public String product() {
        return "OpenALPR";
    }

    @Override
    public List<IngestItem> toReads(JsonNode p, Supplier<byte[]> sent, Camera camera) {
        // a body is one group: refused, its dead letter keeps the bytes sent
        String type = VendorFields.text(p, "data_type");
        if ("alpr_heartbeat".equals(type)) return List.of();
        if (type == null) {
            return List.of(IngestItem.vendorRefused(sent, (p.hasNonNull("data_type") ? "data_type is empty or not text"
                    : "data_type is missing") + " (send alpr_group results)", null));
        }
        if (!"alpr_group".equals(type)) {
            return List.of(IngestItem.vendorRefused(sent, "data_type '" + VendorFields.printable(type) + "' is not supported (send alpr_group results)", null));
        }
        JsonNode epoch = p.get("epoch_start");
        if (epoch == null || epoch.isNull()) {
            return List.of(IngestItem.vendorRefused(sent, "alpr_group without a numeric epoch_start", null));
        }
        if (!epoch.isNumber() || !epoch.canConvertToLong()) {
            return List.of(IngestItem.vendorRefused(sent, "epoch_start must be a number of milliseconds since 1970, got "
                    + VendorFields.sent(epoch), null));
        }
        // OpenALPR sends milliseconds; a time in seconds reads as January 1970 and would be refused
        // as too old, which does not tell the integrator what is wrong
        if (Math.abs(epoch.longValue()) < 100_000_000_000L) {
            // dated as the seconds it looks like, so its dead letter goes (or keeps no plate) when that day expires
            return List.of(IngestItem.vendorRefused(sent, "epoch_start " + epoch.longValue()
                    + " looks like seconds since 1970; OpenALPR's epoch_start is in milliseconds", Instant.ofEpochSecond(epoch.longValue())));
        }
        Instant capturedAt = Instant.ofEpochMilli(epoch.longValue());
        ObjectNode read = JsonNodeFactory.instance.objectNode();
        read.put(ReadFields.CAMERA_ID, camera.id());
        read.put(ReadFields.CAPTURED_AT, capturedAt.toString());
        VendorFields.putIfPresent(read, ReadFields.PLATE, VendorFields.text(p, "best_plate_number"));
        try {
            putNumbers(p, read);
        } catch (VendorFields.FieldRefused e) {
            return List.of(IngestItem.vendorRefused(sent, e.getMessage(), capturedAt));
        }
        VendorFields.putIfPresent(read, ReadFields.REGION, VendorFields.upper(VendorFields.text(p, "best_region")));
        JsonNode vehicle = p.get("vehicle");
        if (vehicle != null && vehicle.isObject()) {
            ObjectNode v = JsonNodeFactory.instance.objectNode();
            String make = VendorFields.firstName(vehicle.get("make"), "name");
            VendorFields.putIfPresent(v, "make", make);
            VendorFields.putIfPresent(v, "model", model(make, VendorFields.firstName(vehicle.get("make_model"), "name")));
            VendorFields.putIfPresent(v, "color", VendorFields.firstName(vehicle.get("color"), "name"));
            VendorFields.putIfPresent(v, "type", VendorFields.firstName(vehicle.get("body_type"), "name"));
            if (!v.isEmpty()) read.set(ReadFields.VEHICLE, v);
        }
        return List.of(IngestItem.parsed(read));
    }

    /** Confidence, location and heading, each checked in OpenALPR's terms so a refusal names what was sent. */
    private static void putNumbers(JsonNode p, ObjectNode read) {
        Double conf = VendorFields.number(p, "best_confidence", "best_confidence", 0, 100);
        if (conf != null) read.put(ReadFields.PLATE_CONFIDENCE, conf / 100.0);
        Double lat = VendorFields.number(p, "gps_latitude", "gps_latitude", -90, 90);
        Double lon = VendorFields.number(p, "gps_longitude", "gps_longitude", -180, 180);
        if ((lat == null) != (lon == null)) throw new VendorFields.FieldRefused("gps_latitude and gps_longitude come together or not at all");
        // agents without a GPS fix report 0/0; that is not a location
        if (lat != null && !(lat == 0 && lon == 0)) read.putObject(ReadFields.LOCATION).put("lat", lat).put("lon", lon);
        Double direction = VendorFields.number(p, "travel_direction", "travel_direction", 0, 360);
        if (direction != null) read.put(ReadFields.HEADING_DEG, direction);
    }

    /** make_model names are "make_model" (e.g. "ford_explorer"): keep the model part. */
    private static String model(String make, String makeModel) {
        if (makeModel == null) return null;
        if (make != null && makeModel.startsWith(make + "_")) return makeModel.substring(make.length() + 1);
        return makeModel;
    }
}
