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
        if (epoch == null || !epoch.canConvertToLong()) {
            return List.of(IngestItem.vendorRefused(sent, "alpr_group without a numeric epoch_start", null));
        }
        // OpenALPR sends milliseconds; a time in seconds reads as January 1970 and would be refused
        // as too old, which does not tell the integrator what is wrong
        if (Math.abs(epoch.longValue()) < 100_000_000_000L) {
            // dated as the seconds it looks like, so its dead letter goes (or keeps no plate) when that day expires
            return List.of(IngestItem.vendorRefused(sent, "epoch_start " + epoch.longValue()
                    + " looks like seconds since 1970; OpenALPR's epoch_start is in milliseconds", Instant.ofEpochSecond(epoch.longValue())));
        }
        ObjectNode read = JsonNodeFactory.instance.objectNode();
        read.put(ReadFields.CAMERA_ID, camera.id());
        read.put(ReadFields.CAPTURED_AT, Instant.ofEpochMilli(epoch.longValue()).toString());
        VendorFields.putIfPresent(read, ReadFields.PLATE, VendorFields.text(p, "best_plate_number"));
        JsonNode conf = p.get("best_confidence");
        if (conf != null && conf.isNumber()) read.put(ReadFields.PLATE_CONFIDENCE, conf.doubleValue() / 100.0);
        VendorFields.putIfPresent(read, ReadFields.REGION, VendorFields.upper(VendorFields.text(p, "best_region")));
        JsonNode lat = p.get("gps_latitude");
        JsonNode lon = p.get("gps_longitude");
        // agents without a GPS fix report 0/0; that is not a location
        if (lat != null && lon != null && lat.isNumber() && lon.isNumber() && !(lat.doubleValue() == 0 && lon.doubleValue() == 0)) {
            read.putObject(ReadFields.LOCATION).put("lat", lat.doubleValue()).put("lon", lon.doubleValue());
        }
        JsonNode direction = p.get("travel_direction");
        if (direction != null && direction.isNumber()) read.put(ReadFields.HEADING_DEG, direction.doubleValue());
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

    /** make_model names are "make_model" (e.g. "ford_explorer"): keep the model part. */
    private static String model(String make, String makeModel) {
        if (makeModel == null) return null;
        if (make != null && makeModel.startsWith(make + "_")) return makeModel.substring(make.length() + 1);
        return makeModel;
    }
}
