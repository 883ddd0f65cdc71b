package org.platewarden.core.plate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlateQueryTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "abc 1234   | ABC1234",
            "abc-12.34  | ABC1234",
            "ab?12*     | AB?12*",
            "a***b      | A*B",
            "*a * *b?   | *A*B?",
            "ÄBC1       | ABC1",
            // the characters a stored plate is read with (PlateNormalizer), and the wildcards kept
            "\u0410\u0412?12\u0421*  | AB?12C*",
            "\uff21\uff22\uff1f\uff11\uff12\uff0a | AB?12*",
            "\u0391\u0392* *\u00c9 | AB*E",
    })
    void normalisesLikeStoredPlatesAndCollapsesStars(String raw, String expected) {
        assertEquals(expected, PlateQuery.parse(raw).pattern());
    }

    @Test
    void defaultsToOcrAndNoEdits() {
        PlateQuery q = PlateQuery.parse("ABC1234");
        assertTrue(q.ocr());
        assertEquals(0, q.maxEdits());
        PlateQuery explicit = PlateQuery.parse("ABC1234", false, 2);
        assertFalse(explicit.ocr());
        assertEquals(2, explicit.maxEdits());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ABC1234  | 7 | 7 | 0",
            "AB?12*   | 4 | 5 | 1",
            "*1234    | 4 | 4 | 0",
            "??C?*    | 1 | 4 | 3",
    })
    void countsKnownCharacters(String raw, int known, int minLength, int singles) {
        PlateQuery q = PlateQuery.parse(raw);
        assertEquals(known, q.knownChars());
        assertEquals(minLength, q.minLength());
        assertEquals(singles, q.singleWildcards());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                       | 0 | empty",
            "' -. '                   | 0 | empty",
            "??*                      | 0 | only wildcards",
            "ABCDEFGHIJKLMNOPQ        | 0 | at most 16",
            "ABC1234                  | 3 | max_edits must be between 0 and 2",
            "ABC1234                  | -1 | max_edits must be between 0 and 2",
    })
    void rejectsWithAClearMessage(String raw, int maxEdits, String message) {
        PlateQueryException e = assertThrows(PlateQueryException.class, () -> PlateQuery.parse(raw, true, maxEdits));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.isUnsupported());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\u4eacA12*        | \u4eac | U+4EAC",
            "AB?\u0661\u0662   | \u0661 | U+0661",
    })
    void refusesALetterOrDigitItCannotReadAsLatinNamingIt(String raw, String character, String codePoint) {
        PlateQueryException e = assertThrows(PlateQueryException.class, () -> PlateQuery.parse(raw));
        assertTrue(e.getMessage().contains("'" + character + "' (" + codePoint + ")"), e.getMessage());
        assertFalse(e.isUnsupported());
    }

    @Test
    void rejectsNullAndOverlongRawInput() {
        assertThrows(PlateQueryException.class, () -> PlateQuery.parse(null));
        String spaces = " ".repeat(60) + "ABCDE";
        PlateQueryException e = assertThrows(PlateQueryException.class, () -> PlateQuery.parse(spaces));
        assertTrue(e.getMessage().contains("longer than 64"), e.getMessage());
    }

    @Test
    void constructorRefusesUnnormalisedPatterns() {
        assertThrows(PlateQueryException.class, () -> new PlateQuery("abc", true, 0));
        assertThrows(PlateQueryException.class, () -> new PlateQuery("A**B", true, 0));
        assertEquals("A*B", new PlateQuery("A*B", true, 0).pattern());
    }
}
