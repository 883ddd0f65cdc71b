package org.platewarden.core.read;

/**
 * Why a read was refused. {@code code} is a short stable token (used as a metric tag and by
 * clients); {@code message} says what exactly was wrong. {@code readId} is the read's id when it
 * could be determined (for the dead-letter entry), else null.
 */
public record Rejection(String code, String message, String readId) implements ReadResult {
    public static final String NOT_AN_OBJECT = "not_an_object";
    public static final String INVALID_JSON = "invalid_json";
    public static final String MISSING_FIELD = "missing_field";
    public static final String INVALID_FIELD = "invalid_field";
    /**
     * a text field holds a control character (Cc), an invisible format character (Cf: zero-width,
     * bidirectional controls), a line or paragraph separator, or half a surrogate pair (the message
     * names the field, the code point and its position, not the value)
     */
    public static final String INVALID_CHARACTER = "invalid_character";
    public static final String UNKNOWN_FIELD = "unknown_field";
    public static final String DUPLICATE_FIELD = "duplicate_field";
    public static final String CAMERA_MISMATCH = "camera_mismatch";
    public static final String AGENCY_MISMATCH = "agency_mismatch";
    public static final String PLATE_LENGTH = "plate_length";
    /** the plate holds a letter or digit that is not read as A-Z or 0-9 (the message names it) */
    public static final String PLATE_CHARACTER = "plate_character";
    public static final String TOO_OLD = "too_old";
    public static final String IN_FUTURE = "in_future";
    public static final String VENDOR_FORMAT = "vendor_format";
    /** a body or packet over its limit, or more reads than one request may carry (HTTP 413, MQTT PACKET_TOO_LARGE) */
    public static final String TOO_LARGE = "too_large";
    /** Every code above: a read or a body can be refused with each (a protocol's own refusals, such as a wrong topic, are not here). */
    public static final java.util.List<String> CODES = java.util.List.of(NOT_AN_OBJECT, INVALID_JSON, MISSING_FIELD, INVALID_FIELD,
            INVALID_CHARACTER, UNKNOWN_FIELD, DUPLICATE_FIELD, CAMERA_MISMATCH, AGENCY_MISMATCH, PLATE_LENGTH, PLATE_CHARACTER, TOO_OLD, IN_FUTURE,
            VENDOR_FORMAT, TOO_LARGE);

    public Rejection(String code, String message) {
        this(code, message, null);
    }

    /** One line for clients and dead letters: {@code code: message}. */
    public String reason() {
        return code + ": " + message;
    }
}
