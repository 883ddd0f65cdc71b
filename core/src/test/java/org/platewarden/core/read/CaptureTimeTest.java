package org.platewarden.core.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CaptureTimeTest {

    @Test
    void storedIsCutToTheMillisecondTowardsThePast() {
        Instant ms = Instant.parse("2026-11-24T23:59:59.999Z");
        assertSame(ms, CaptureTime.stored(ms));
        assertEquals(ms, CaptureTime.stored(Instant.parse("2026-11-24T23:59:59.999999999Z")));
        assertEquals(Instant.parse("1969-12-31T23:59:59.999Z"), CaptureTime.stored(Instant.ofEpochSecond(-1, 999_999_500)));
    }

    /** A window's bounds are the first and last whole millisecond inside it: a stored time is inside one iff inside the other. */
    @Test
    void windowBoundsAreTheMillisecondsInsideTheWindow() {
        assertEquals(Instant.parse("2026-11-25T00:00:00Z"), CaptureTime.windowStart(Instant.parse("2026-11-24T23:59:59.9995Z")));
        assertEquals(Instant.parse("2026-11-24T23:59:59.999Z"), CaptureTime.windowStart(Instant.parse("2026-11-24T23:59:59.999Z")));
        assertEquals(Instant.parse("2026-11-24T23:59:59.999Z"), CaptureTime.windowEnd(Instant.parse("2026-11-24T23:59:59.999999Z")));
        assertEquals(Instant.parse("2026-11-24T23:59:59.998Z"), CaptureTime.windowEnd(Instant.parse("2026-11-24T23:59:59.998999Z")));
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 100_000; i++) {
            Instant from = Instant.ofEpochSecond(1_700_000_000L, random.nextInt(3_000_000));
            Instant to = from.plusNanos(random.nextInt(3_000_000));
            Instant stored = CaptureTime.stored(Instant.ofEpochSecond(1_700_000_000L, random.nextInt(6_000_000)));
            boolean inside = !stored.isBefore(from) && !stored.isAfter(to);
            boolean inRange = !stored.isBefore(CaptureTime.windowStart(from)) && !stored.isAfter(CaptureTime.windowEnd(to));
            assertEquals(inside, inRange, from + " " + to + " " + stored);
        }
    }

    @Test
    void aHitShowsItsCaptureTimeToTheMillisecond() {
        // a read stored with microseconds (before the gateway cut them) is shown as it was matched
        assertEquals("2026-11-24T23:59:59.999Z", CaptureTime.shown("2026-11-24T23:59:59.999999Z"));
        assertEquals("2026-11-24T23:59:59.999Z", CaptureTime.shown("2026-11-24T23:59:59.999Z"));
        assertEquals("2026-11-24T23:59:59Z", CaptureTime.shown("2026-11-24T23:59:59Z"));
        assertEquals("2026-11-24T23:59:59.100Z", CaptureTime.shown("2026-11-24T23:59:59.100000Z"));
        assertEquals("not a time, but long enough", CaptureTime.shown("not a time, but long enough"));
        assertEquals(null, CaptureTime.shown(null));
    }
}
