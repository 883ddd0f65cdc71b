package org.platewarden.core.plate;

/**
 * A plate holds a letter or digit that is none of A-Z and 0-9 and is not read as one (a Chinese
 * province character, Arabic-Indic digits, a Cyrillic Ж). Dropping it, as separators are dropped,
 * would store or search another plate than the one read; so the read or the search is refused,
 * naming the character.
 */
public final class PlateCharacterException extends IllegalArgumentException {
    /** Why the character is refused, once the plate and the character are named. */
    static final String WHAT = "a letter or digit that is not read as any of A-Z, 0-9"
            + " (Latin letters, with or without accents, and the Cyrillic and Greek letters drawn like them are)";

    private final int codePoint;

    PlateCharacterException(String plate, int codePoint) {
        super("plate '" + plate + "' has " + describe(codePoint) + ", " + WHAT);
        this.codePoint = codePoint;
    }

    /** The character, quoted, with its code point: {@code '京' (U+4EAC)}. */
    public String character() {
        return describe(codePoint);
    }

    private static String describe(int codePoint) {
        return "'" + new String(Character.toChars(codePoint)) + "' (U+" + String.format("%04X", codePoint) + ")";
    }
}
