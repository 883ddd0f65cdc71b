package org.platewarden.core.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A request's date-time field takes exactly what a read's captured_at takes: what a search's from/to
 * took before (java.time's ISO_OFFSET_DATE_TIME) inside that grammar still reads the same, the
 * grammar's other forms are taken too, and the rest is refused naming the field and the form.
 */
class DateTimeFieldTest {

    @Test
    void whatSearchesTookBeforeThatTheGrammarHasReadsTheSame() {
        for (String s : List.of("2026-11-20T00:00:00Z", "2026-11-20T00:00:00+01:00", "2026-11-20T23:59:59.999-07:00",
                "2026-11-20T00:00Z", "2026-11-20T00:00:00.123456789Z")) {
            assertEquals(OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant(), DateTimeField.parse("from", s), s);
        }
    }

    @Test
    void takesTheGrammarsOtherForms() {
        Instant t = Instant.parse("2026-11-20T05:00:00.500Z");
        assertEquals(t, DateTimeField.parse("to", "2026-11-20T05:00:00,5Z"));
        assertEquals(t, DateTimeField.parse("to", "2026-11-20 00:00:00.5-0500"));
        assertEquals(t, DateTimeField.parse("to", "2026-11-20T00:00:00.5-05"));
    }

    @Test
    void refusesWhatACapturedAtIsRefusedNamingTheFieldAndTheForm() {
        // each of these java.time's ISO_OFFSET_DATE_TIME takes (a search took them before)
        for (String s : List.of("2026-11-25T01:33:38.Z", "2026-11-25T01:33:38+00:00:00", "2026-11-25T01:33:38+15:00",
                "2026-11-25T01:33:38-18:00", "+12026-11-25T01:33:38Z")) {
            OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME); // the old parser's answer: taken
            String message = assertThrows(IllegalArgumentException.class, () -> DateTimeField.parse("from", s), s).getMessage();
            assertTrue(message.startsWith("from '" + s + "' is not " + DateTimeField.FORM + ": "), message);
        }
        assertEquals("from '2026-11-25T01:33:38.Z' is not " + DateTimeField.FORM + ": a decimal sign must be followed by at least one digit",
                assertThrows(IllegalArgumentException.class, () -> DateTimeField.parse("from", "2026-11-25T01:33:38.Z")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DateTimeField.parse("until", "2026-11-25T01:33:38"))
                .getMessage().endsWith("it has no UTC offset (Z or ±hh:mm)"));
    }

    @Test
    void aValueThatIsNoStringIsRefusedAndALongOneIsCut() {
        assertEquals("until must be a string: " + DateTimeField.FORM,
                assertThrows(IllegalArgumentException.class, () -> DateTimeField.parse("until", 1798761600)).getMessage());
        String message = assertThrows(IllegalArgumentException.class, () -> DateTimeField.parse("to", "x".repeat(5000))).getMessage();
        assertTrue(message.startsWith("to '" + "x".repeat(64) + "...' is not "), message);
        assertTrue(message.length() < 400, message);
    }
}
