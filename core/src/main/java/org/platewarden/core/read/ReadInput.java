package org.platewarden.core.read;

/**
 * One read in the native model as the camera sent it, field by field, before any rule is applied.
 * {@link ReadInputReader} fills it straight from the JSON tokens (no Jackson tree: the tree cost the
 * accept path a third of its time per read and most of its garbage); {@link ReadValidator} then
 * applies the rules in a fixed order, so a read that breaks several rules always gets the same
 * reason, whatever the order of its fields.
 *
 * <p>Each field holds {@code null} (absent or JSON {@code null}), its value ({@link String} for
 * text, {@link Number} for numbers, {@link Location} / {@link Vehicle} for the objects) or
 * {@link #WRONG_TYPE}. A field that appears twice keeps its last value, as a Jackson tree does, but
 * is named in {@link #duplicateField}: the validator refuses such a read, since which of the values
 * the camera meant is anyone's guess.
 */
public final class ReadInput {
    /** A field whose JSON type is wrong for it; the rule that reads the field says what it must be. */
    static final Object WRONG_TYPE = new Object() {
        @Override
        public String toString() {
            return "WRONG_TYPE";
        }
    };

    final boolean object;
    /** The first field (in the payload's order) that the native model does not have. */
    String unknownField;
    /** The first field (in the payload's order) that appears twice, {@code location.lat} for a nested one. */
    String duplicateField;
    Object readId;
    Object cameraId;
    Object agency;
    Object capturedAt;
    Object plate;
    Object plateConfidence;
    Object region;
    Object location;
    Object headingDeg;
    Object lane;
    Object vehicle;
    Object imageRef;

    private ReadInput(boolean object) {
        this.object = object;
    }

    static ReadInput object() {
        return new ReadInput(true);
    }

    /** An item that is not a JSON object (a number, a string, an array ...). */
    public static ReadInput notAnObject() {
        return new ReadInput(false);
    }

    public boolean isObject() {
        return object;
    }

    /**
     * The read id the payload states, for a dead letter, when it is text: of any length (one refused for
     * its length too), the letter bounds it ({@code DeadLetter#MAX_READ_ID_CHARS}).
     */
    public String readIdHint() {
        return readId instanceof String s ? s : null;
    }

    /**
     * Whether {@code text} (a read id, say) holds this read's plate, as sent or as its letters and
     * digits (case and separators aside): a dead letter that may not keep the plate may not keep
     * {@code cam-017:1763820187123:ABC1234} either.
     */
    public boolean holdsPlate(String text) {
        return plate instanceof String p && holdsPlate(text, p);
    }

    /** Whether {@code text} holds {@code plate}, as sent or as its letters and digits (see {@link #holdsPlate(String)}). */
    public static boolean holdsPlate(String text, String p) {
        if (text == null || p == null) return false;
        String sent = p.strip();
        if (!sent.isEmpty() && text.contains(sent)) return true;
        String letters = lettersAndDigits(p);
        return !letters.isEmpty() && lettersAndDigits(text).contains(letters);
    }

    private static String lettersAndDigits(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().filter(Character::isLetterOrDigit).map(Character::toUpperCase).forEach(out::appendCodePoint);
        return out.toString();
    }

    /** {@code location}: lat and lon, and the first field it should not have. */
    static final class Location {
        String unknownField;
        Object lat;
        Object lon;
    }

    /** {@code vehicle}: make, model, color, type, and the first field it should not have. */
    static final class Vehicle {
        String unknownField;
        Object make;
        Object model;
        Object color;
        Object type;

        Object get(String field) {
            return switch (field) {
                case "make" -> make;
                case "model" -> model;
                case "color" -> color;
                case "type" -> type;
                default -> throw new IllegalArgumentException(field);
            };
        }
    }
}
