package org.platewarden.core.plate;

import java.text.Normalizer;
import java.util.Locale;

/**
 * {@code plate_norm}: the plate as read, in A-Z and 0-9 only. Cameras spell one plate many ways
 * (case, separators, a full-width font, accents, Cyrillic or Greek letters drawn like Latin ones),
 * and a search must find it whichever; the search side reads its pattern with the same rules
 * ({@link PlateQuery}), so the two cannot differ.
 *
 * <p>In order: Unicode NFKC (full-width and other compatibility forms become their ASCII letters
 * and digits), upper case (Unicode's: ß becomes SS, the dotless ı I), accents dropped (NFD splits
 * them off their letters: Ü is U), the Cyrillic and Greek letters drawn like Latin ones read as
 * those ({@link LatinLookAlikes}), and every character that is not a letter or digit (spaces,
 * hyphens, dots, symbols) dropped. A letter or digit still outside A-Z0-9 after that is refused
 * ({@link PlateCharacterException}): dropping it would make another plate of this one.
 *
 * <p>The gateway normalises every read (~100 000 a second), nearly all of them plain ASCII: those
 * take a single pass over the characters, without {@link Normalizer} or any regular expression.
 */
public final class PlateNormalizer {
    private PlateNormalizer() {
    }

    /** @throws PlateCharacterException naming a letter or digit that is not read as A-Z or 0-9 */
    public static String normalize(String plate) {
        if (plate == null) return "";
        return fold(plate, "");
    }

    /**
     * {@code raw} normalised, keeping the ASCII characters of {@code kept} (the search pattern's
     * wildcards) where they are, as a stored plate's separators are not.
     */
    static String fold(String raw, String kept) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); ) {
            char c = raw.charAt(i);
            if (c < 0x80) {
                if (c >= 'a' && c <= 'z') {
                    out.append((char) (c - ('a' - 'A')));
                } else if (isLatin(c) || kept.indexOf(c) >= 0) {
                    out.append(c);
                }
                i++;
            } else {
                int end = i + Character.charCount(raw.codePointAt(i));
                foldCharacter(raw, i, end, kept, out);
                i = end;
            }
        }
        return out.toString();
    }

    /** A-Z or 0-9. */
    static boolean isLatin(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /**
     * Appends what the non-ASCII character {@code raw[from, to)} reads as. One character at a time,
     * so that a refusal names the character as it was sent (Й, not the И left once its breve is
     * dropped); the result is the same as for the whole string, since the marks that composition
     * would join to a letter are dropped either way.
     */
    private static void foldCharacter(String raw, int from, int to, String kept, StringBuilder out) {
        String compatible = Normalizer.normalize(raw.substring(from, to), Normalizer.Form.NFKC);
        // ẞ, the capital sharp s, has no upper case of its own; as ß it becomes SS like ß does
        String upper = compatible.replace('\u1E9E', '\u00DF').toUpperCase(Locale.ROOT);
        // accents split off become combining marks: not letters or digits, so dropped below
        String decomposed = Normalizer.normalize(upper, Normalizer.Form.NFD);
        for (int i = 0; i < decomposed.length(); ) {
            int c = decomposed.codePointAt(i);
            i += Character.charCount(c);
            char latin = LatinLookAlikes.latin(c);
            if (latin != 0) {
                out.append(latin);
            } else if (isLatin(c) || (c < 0x80 && kept.indexOf(c) >= 0)) {
                out.append((char) c);
            } else if (isLetterOrNumber(c)) {
                throw new PlateCharacterException(raw, raw.codePointAt(from));
            }
        }
    }

    /** Letters and numbers of any script, also those (Ⅻ, ①) NFKC has not already made ASCII. */
    private static boolean isLetterOrNumber(int c) {
        if (Character.isLetterOrDigit(c)) return true;
        int type = Character.getType(c);
        return type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }
}
