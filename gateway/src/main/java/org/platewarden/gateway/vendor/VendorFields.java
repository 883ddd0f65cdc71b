package org.platewarden.gateway.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/** Small helpers shared by the adapters. */
final class VendorFields {
    private VendorFields() {
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && v.isValueNode() && !v.isNull() && !v.asText().isBlank() ? v.asText() : null;
    }

    /** The {@code name} of the first (most confident) entry of a vendor's ranked list, e.g. vehicle.make[0].name. */
    static String firstName(JsonNode list, String nameField) {
        if (list == null || !list.isArray() || list.isEmpty()) return null;
        return text(list.get(0), nameField);
    }

    static void putIfPresent(ObjectNode target, String field, String value) {
        if (value != null) target.put(field, value);
    }

    static String upper(String s) {
        return s == null ? null : s.toUpperCase(Locale.ROOT);
    }
}
