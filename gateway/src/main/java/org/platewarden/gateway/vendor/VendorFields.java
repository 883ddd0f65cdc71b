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

    /**
     * A numeric vendor field: null when absent or JSON null; refused, naming the field and the value as
     * sent, when it is not a JSON number or is outside {@code [min, max]} (checked here, in the vendor's
     * own scale, so the reason is not about the mapped value). A number sent as a string is refused, not
     * taken: a native read's {@code plate_confidence} "0.9" is refused too, and a value dropped because of
     * its type would store the read silently without it.
     *
     * @param name the field as the reason names it, e.g. {@code data.results[0].score}
     */
    static Double number(JsonNode parent, String field, String name, double min, double max) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw new FieldRefused(name + " must be a number, got " + sent(v));
        double d = v.doubleValue();
        if (!(d >= min && d <= max)) {
            throw new FieldRefused(name + " must be within [" + plain(min) + ", " + plain(max) + "], got " + sent(v));
        }
        return d;
    }

    /** A value as the camera sent it (JSON text: a string in quotes), for a reason. */
    static String sent(JsonNode v) {
        return printable(v.toString());
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** A vendor field the adapter cannot map: the read (or the body) it is in is refused with this reason. */
    static final class FieldRefused extends RuntimeException {
        FieldRefused(String reason) {
            super(reason, null, false, false);
        }
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
