package org.platewarden.core.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written parser takes exactly the documented grammar (docs/cameras.md, "Capture time"): what
 * java.time reads of it, it reads alike; what java.time takes beyond it, it refuses; and the fast path
 * agrees with the general one on every input, valid or not.
 */
class IsoInstantTest {

    @Test
    void agreesWithJavaTimeOnValidShapes() {
        for (String s : List.of("2026-11-22T14:03:07.123Z", "2026-11-22T14:03:07Z", "2026-11-22T14:03:07.1Z",
                "2026-11-22T14:03:07.123456789Z", "2026-11-22T23:59:59-07:00", "2024-02-29T00:00:00+05:30",
                "2026-11-22T14:03:07.5+01:00", "2026-11-22T14:03:07+00:00", "1999-12-31T23:59:59.999-12:00")) {
            assertEquals(reference(s), IsoInstant.parse(s), s);
        }
    }

    @Test
    void takesTheShapesCamerasAlsoSend() {
        // RFC 3339's space for the T, and offsets without their colon (several camera firmwares)
        assertEquals(Instant.parse("2026-11-22T14:03:07Z"), IsoInstant.parse("2026-11-22 14:03:07Z"));
        assertEquals(Instant.parse("2026-11-22T14:03:07.250Z"), IsoInstant.parse("2026-11-22 14:03:07.25+00:00"));
        assertEquals(Instant.parse("2026-11-22T14:03:07Z"), IsoInstant.parse("2026-11-22T14:03:07+0000"));
        assertEquals(Instant.parse("2026-11-22T19:03:07Z"), IsoInstant.parse("2026-11-22T14:03:07-0500"));
        assertEquals(Instant.parse("2026-11-22T08:33:07Z"), IsoInstant.parse("2026-11-22 14:03:07+0530"));
    }

    @Test
    void rejectsWhatJavaTimeRejects() {
        // still a date, a time and an offset: a local time, a time zone name or a one-digit hour are refused
        for (String s : List.of("2026-11-22T14:03:07", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                "2026-11-22T24:00:00Z", "2026-11-22 14:03:07", "2026-11-22T14:03:07.1234567890Z",
                "2026-11-22T14:03:07+1:00", "2026-11-22T14:03:07 UTC", "2026-11-2214:03:07Z",
                "yesterday", "", "2026-11-22T14:03:60Z")) {
            assertThrows(DateTimeException.class, () -> IsoInstant.parse(s), s);
        }
    }

    @Test
    void refusesWhatIsNeitherIso8601NorRfc3339ThoughJavaTimeTakesIt() {
        // a decimal point without digits, an offset with seconds, offsets no zone uses (java.time goes to ±18:00)
        for (String s : List.of("2026-11-25T01:33:38.Z", "2026-11-25T01:33:38.+01:00", "2026-11-25 01:33:38.Z",
                "2026-11-25T01:33:38+00:00:00", "2026-11-25T01:33:38-05:00:00", "2026-11-25T01:33:38.5+0100:00",
                "2026-11-25T01:33:38+15:00", "2026-11-25T01:33:38-15:00", "2026-11-25T01:33:38+14:01", "2026-11-25T01:33:38-1401",
                "2026-11-25T01:33:38+18", "2026-11-25T01:33:38.123+18:00")) {
            assertThrows(DateTimeException.class, () -> IsoInstant.parse(s), s);
        }
    }

    @Test
    void saysWhatIsWrong() {
        assertEquals("a decimal sign must be followed by at least one digit", message("2026-11-25T01:33:38.Z"));
        assertEquals("an offset has no seconds", message("2026-11-25T01:33:38+00:00:00"));
        assertEquals("the offset +15:00 is beyond ±14:00, which no zone uses", message("2026-11-25T01:33:38+15:00"));
        assertEquals("it has no UTC offset (Z or ±hh:mm)", message("2026-11-25T01:33:38"));
        assertEquals("there is no date 2026-02-30", message("2026-02-30T00:00:00Z"));
        assertTrue(message("2026-11-22T14:03:07 UTC").contains("zone name"));
        assertTrue(message("2026-11-22T14:03:60Z").contains("no leap second"));
        assertTrue(message("2026-11-22T14:03:07.1234567890Z").contains("at most 9 digits"));
    }

    @Test
    void takesEveryFormTheDocumentedGrammarHas() {
        Instant t = Instant.parse("2026-11-25T01:33:38.500Z");
        // the comma ISO-8601 allows (and prefers) as the decimal sign
        assertEquals(t, IsoInstant.parse("2026-11-25T01:33:38,5Z"));
        assertEquals(t, IsoInstant.parse("2026-11-25 01:33:38,500+00:00"));
        // the offsets at the edge of the range, in each of the three forms; lower-case t and z; -00:00
        assertEquals(t.minusSeconds(14 * 3600), IsoInstant.parse("2026-11-25T01:33:38.5+14:00"));
        assertEquals(t.plusSeconds(14 * 3600), IsoInstant.parse("2026-11-25T01:33:38.5-1400"));
        assertEquals(t.minusSeconds(5 * 3600), IsoInstant.parse("2026-11-25T01:33:38.5+05"));
        assertEquals(t, IsoInstant.parse("2026-11-25t01:33:38.5z"));
        assertEquals(t, IsoInstant.parse("2026-11-25T01:33:38.5-00:00"));
        // ISO-8601's time without seconds
        assertEquals(Instant.parse("2026-11-25T01:33:00Z"), IsoInstant.parse("2026-11-25T01:33Z"));
        assertEquals(Instant.parse("2026-11-25T01:33:38.000001Z"), IsoInstant.parse("2026-11-25T01:33:38.000001Z"));
    }

    @Test
    void aDigitOutsideAsciiIsNoDigit() {
        // Arabic-Indic ١ in the fraction was once read as -1 tenths of a second
        assertThrows(DateTimeException.class, () -> IsoInstant.parse("2026-11-22T14:03:07.\u0661Z"));
        assertThrows(DateTimeException.class, () -> IsoInstant.parse("2026-11-22T14:03:07.1\u0661Z"));
    }

    /**
     * The fast path takes only what the general parser takes, with the same instant: thousands of
     * strings near the usual shape, each one character changed, cut short or lengthened.
     */
    @Test
    void theFastPathNeverAcceptsWhatTheGeneralParserRefuses() {
        Random random = new Random(3);
        String alphabet = "0123456789-:.,+ TtZz5\u0661x";
        List<String> seeds = List.of("2026-11-22T14:03:07.123Z", "2026-11-22T14:03:07Z", "2026-11-22T14:03:07.123456+14:00",
                "2024-02-29T23:59:59-12:00", "2026-11-22T14:03:07.5+05:30", "2026-11-22 14:03:07+0530", "2026-11-22T14:03Z");
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder b = new StringBuilder(seeds.get(random.nextInt(seeds.size())));
            for (int k = random.nextInt(3); k >= 0; k--) {
                int at = random.nextInt(b.length());
                switch (random.nextInt(3)) {
                    case 0 -> b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> b.deleteCharAt(at);
                    default -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String s = b.toString();
            Instant general;
            try {
                general = IsoInstant.general(s, false);
            } catch (DateTimeException refused) {
                general = null;
            }
            Instant parsed;
            try {
                parsed = IsoInstant.parse(s);
            } catch (DateTimeException refused) {
                parsed = null;
            }
            assertEquals(general, parsed, s);
            if (parsed != null) {
                accepted++;
                // and java.time agrees on every one of them it can read (it has no comma, no "+05", no "+0530")
                try {
                    assertEquals(reference(s.replace(' ', 'T')), parsed, s);
                } catch (DateTimeException javaTimeCannot) {
                    // a form of the grammar java.time's ISO parser lacks
                }
            }
        }
        assertTrue(accepted > 10_000, "accepted " + accepted);
    }

    @Test
    void theEarliestInstantOfATimeWithoutAnOffsetIsItsLocalTimeAtPlus14() {
        assertEquals(Instant.parse("2026-11-22T00:03:07Z"), IsoInstant.earliest("2026-11-22T14:03:07"));
        assertEquals(Instant.parse("2026-11-22T00:03:07.500Z"), IsoInstant.earliest("2026-11-22 14:03:07,5"));
        assertEquals(Instant.parse("2026-11-22T14:03:07Z"), IsoInstant.earliest("2026-11-22T14:03:07Z"));
        // not a date-time at all, or one with an offset that is wrong: nothing to date it by
        for (String s : List.of("yesterday", "2026-11-22T14:03:07.", "2026-11-22T14:03:07+15:00", "2026-11-22", "")) {
            assertEquals(null, IsoInstant.earliest(s), s);
        }
    }

    private static String message(String s) {
        return assertThrows(DateTimeException.class, () -> IsoInstant.parse(s), s).getMessage();
    }

    @Test
    void formatWritesWhatInstantToStringWrites() {
        Random random = new Random(11);
        List<Instant> edges = List.of(Instant.EPOCH, Instant.ofEpochSecond(-1), Instant.ofEpochSecond(-1, 999_999_999),
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"), Instant.MIN, Instant.MAX,
                Instant.parse("2024-02-29T12:00:00.100Z"), Instant.parse("2026-11-22T14:03:07.000001Z"));
        for (Instant t : edges) assertEquals(t.toString(), IsoInstant.format(t));
        int[] nanoSteps = {1, 1_000, 1_000_000, 1_000_000_000};
        for (int i = 0; i < 40_000; i++) {
            long second = random.nextLong() % 400_000_000_000L; // years about -10 700 to 14 600
            int step = nanoSteps[i % nanoSteps.length];
            Instant t = Instant.ofEpochSecond(second, random.nextInt(1_000_000_000 / step) * (long) step);
            assertEquals(t.toString(), IsoInstant.format(t), () -> t.getEpochSecond() + "s " + t.getNano() + "ns");
        }
    }

    @Test
    void randomInstantsRoundTrip() {
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextInt(2_000_000_000), random.nextInt(1_000_000_000));
            String s = t.toString();
            assertEquals(reference(s), IsoInstant.parse(s), s);
            String offset = OffsetDateTime.ofInstant(t, java.time.ZoneOffset.ofHoursMinutes(-5, -30)).toString();
            assertEquals(t, IsoInstant.parse(offset), offset);
        }
    }

    private static Instant reference(String s) {
        return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }
}
