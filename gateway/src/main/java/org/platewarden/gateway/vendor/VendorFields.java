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

    /**
     * A vendor value for a refusal's message: up to 64 characters, control and invisible format
     * characters shown as {@code ?} (the message goes to the camera, the dead letter and the logs).
     */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 65));
        for (int i = 0; i < s.length() && out.length() < 64; i++) {
            char c = s.charAt(i);
            int type = Character.getType(c);
            boolean hidden = type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
            out.append(hidden ? '?' : c);
        }
        if (s.length() > 64) out.append('…');
        return out.toString();
    }

    static String upper(String s) {
        return s == null ? null : s.toUpperCase(Locale.ROOT);
    }
}
