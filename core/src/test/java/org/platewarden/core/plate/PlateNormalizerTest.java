package org.platewarden.core.plate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code plate_norm}: every spelling of a plate a camera may send reads as the same A-Z0-9 text. */
class PlateNormalizerTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // ASCII: upper case, separators dropped (the fast path)
            "abc 1234      | ABC1234",
            "ab-12.34_x/y  | AB1234XY",
            // Russian plates use the Cyrillic letters drawn like Latin ones: А123ВС77
            "\u0410123\u0412\u042177 | A123BC77",
            // every Cyrillic look-alike, capital and small
            "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425 | ABEKMHOPCTYX",
            "\u0430\u0432\u0435\u043a\u043c\u043d\u043e\u0440\u0441\u0442\u0443\u0445 | ABEKMHOPCTYX",
            "\u0406\u0408\u0405 1 | IJS1",
            // Greek plates use the Greek capitals drawn like Latin ones
            "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7 | ABEZHIKMNOPTYX",
            "\u0399\u039a\u0396-1234 | IKZ1234",
            // accents dropped, not the letter: a German district MÜ
            "M\u00dc AB 123    | MUAB123",
            "\u00e9\u00e8\u00ea\u00c5\u00d4\u0106 1 | EEEAOC1",
            // the Cyrillic Ё and Ї are Е and І with a diaeresis
            "\u0401\u0407 12   | EI12",
            // full-width and other compatibility forms (NFKC)
            "\uff21\uff22\uff23\u3000\uff11\uff12\uff13\uff14 | ABC1234",
            "\u2460\u00b2 AB   | 12AB",
            // Unicode's upper case of the dotless i and of sharp s (ẞ, which has none, as ß)
            "\u0131ab12        | IAB12",
            "stra\u00dfe1      | STRASSE1",
            "STRA\u1e9eE1      | STRASSE1",
    })
    void foldsEverySpellingToLatinLettersAndDigits(String raw, String expected) {
        assertEquals(expected, PlateNormalizer.normalize(raw));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // a Chinese province character; Arabic-Indic digits; a Cyrillic letter with no Latin look-alike
            "\u4eacA12345      | \u4eac | U+4EAC",
            "ABC \u0661\u0662\u0663 | \u0661 | U+0661",
            "\u0416123AB       | \u0416 | U+0416",
            // Й is И with a breve: no accent is dropped that leaves a Latin letter
            "\u0419123AB       | \u0419 | U+0419",
            // outside the Basic Multilingual Plane: named whole, not as half a surrogate pair
            "AB\ud801\udc00 12 | \ud801\udc00 | U+10400",
    })
    void refusesALetterOrDigitItCannotReadAsLatinNamingIt(String raw, String character, String codePoint) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlateNormalizer.normalize(raw));
        assertTrue(e.getMessage().contains("'" + character + "' (" + codePoint + ")"), e.getMessage());
    }

    @Test
    void ingestAndQueryReadTheSameCharactersTheSameWay() {
        String cyrillic = "\u0410123\u0412\u042177";
        assertEquals(PlateNormalizer.normalize(cyrillic), PlateQuery.parse(cyrillic).pattern());
        assertEquals(PlateNormalizer.normalize("A123BC77"), PlateQuery.parse(cyrillic).pattern());
        assertEquals(PlateNormalizer.normalize("M\u00dc AB 123"), PlateQuery.parse("mu-ab-123").pattern());
    }
}
