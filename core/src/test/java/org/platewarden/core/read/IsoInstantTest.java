package org.platewarden.core.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written fast path agrees with java.time on every input, valid or not. */
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
