package org.platewarden.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A read's UTC day, and the remembered names are exactly the ones DailyIndex formats, at day boundaries and beyond the memory's size. */
class DailyIndexNamesTest {

    @Test
    void everyInstantGetsTheNameOfItsUtcDay() {
        DailyIndexNames names = new DailyIndexNames("pw");
        for (String at : new String[] {"2026-11-22T00:00:00Z", "2026-11-21T23:59:59.999Z", "2026-11-22T23:59:59.999999999Z",
                "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2026-11-22T12:00:00Z", "2024-02-29T00:00:01Z"}) {
            Instant i = Instant.parse(at);
            assertEquals(DailyIndex.name("pw", i), names.name(i), at);
        }
    }

    @Test
    void theUtcDayIsJavaTimesUtcDate() {
        Random random = new Random(5);
        for (Instant at : new Instant[] {Instant.EPOCH, Instant.ofEpochSecond(-1), Instant.ofEpochSecond(-86_400), Instant.ofEpochSecond(86_399, 999_999_999)}) {
            assertEquals(java.time.LocalDate.ofInstant(at, java.time.ZoneOffset.UTC), DailyIndex.day(at), at.toString());
        }
        for (int i = 0; i < 10_000; i++) {
            Instant at = Instant.ofEpochSecond(random.nextLong() % 100_000_000_000L, random.nextInt(1_000_000_000));
            assertEquals(java.time.LocalDate.ofInstant(at, java.time.ZoneOffset.UTC), DailyIndex.day(at), at.toString());
        }
    }

    @Test
    void manyMoreDaysThanItRemembersStayCorrect() {
        DailyIndexNames names = new DailyIndexNames("pw");
        Random random = new Random(3);
        long base = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 20 * DailyIndexNames.MAX_DAYS; i++) {
            Instant at = Instant.ofEpochSecond(base + random.nextInt(400) * 86_400L + random.nextInt(86_400), random.nextInt(1_000_000_000));
            assertEquals(DailyIndex.name("pw", at), names.name(at), at.toString());
        }
    }
}
