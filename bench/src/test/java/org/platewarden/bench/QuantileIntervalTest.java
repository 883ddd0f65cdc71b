package org.platewarden.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantileIntervalTest {
    @Test
    void medianOfTenIsBetweenTheSecondAndTheNinthValue() {
        // the textbook case: P(B <= 1) = 11/1024 <= 2.5 % < P(B <= 2); P(B <= 8) = 1013/1024 >= 97.5 % > P(B <= 7)
        assertEquals(new QuantileInterval(2, 9), QuantileInterval.ranks(10, 0.5, 0.05));
    }

    @Test
    void ranksForTheP99MatchExactBinomialArithmetic() {
        // computed with exact fractions (math.comb) in Python, see the class comment
        assertEquals(new QuantileInterval(195, 0), QuantileInterval.ranks(200, 0.99, 0.05));
        assertEquals(new QuantileInterval(490, 500), QuantileInterval.ranks(500, 0.99, 0.05));
        assertEquals(new QuantileInterval(983, 997), QuantileInterval.ranks(1000, 0.99, 0.05));
        assertEquals(new QuantileInterval(4936, 4964), QuantileInterval.ranks(5000, 0.99, 0.05)); // run.sh's default
    }

    @Test
    void boundsAreTheSortedValuesAtTheRanksAndNullWhereUnbounded() {
        long[] values = {9, 1, 8, 2, 7, 3, 6, 4, 5, 10};
        assertArrayEquals(new Long[] {2L, 9L}, QuantileInterval.ranks(10, 0.5, 0.05).bounds(values));
        assertEquals(9, values[0], "the caller's array is left as it was");
        // two values: both fall below the p99 with probability 0.98, so the larger is a lower bound (at 2 %),
        // and nothing bounds it from above
        long[] two = {5, 3};
        assertArrayEquals(new Long[] {5L, null}, QuantileInterval.ranks(2, 0.99, 0.05).bounds(two));
        // one value: below the p99 with probability 0.99, above it with 0.01 -- neither side is bounded at 2.5 %
        assertArrayEquals(new Long[] {null, null}, QuantileInterval.ranks(1, 0.5, 0.05).bounds(new long[] {4}));
    }

    @Test
    void coversTheTrueP99InAtLeastNinetyFivePercentOfSamples() {
        // exponential latencies with mean 20: the true p99 is 20 * ln(100)
        double trueP99 = 20 * Math.log(100);
        Random random = new Random(7);
        QuantileInterval interval = QuantileInterval.ranks(1000, 0.99, 0.05);
        int trials = 2000, covered = 0;
        for (int t = 0; t < trials; t++) {
            long[] sample = new long[1000];
            for (int i = 0; i < sample.length; i++) sample[i] = Math.round(-20_000 * Math.log(1 - random.nextDouble()));
            Long[] b = interval.bounds(sample);
            if (b[0] <= trueP99 * 1000 && trueP99 * 1000 <= b[1]) covered++;
        }
        double coverage = covered / (double) trials;
        assertTrue(coverage >= 0.94 && coverage < 0.995, "coverage " + coverage);
    }

    @Test
    void rejectsMeaninglessArguments() {
        assertThrows(IllegalArgumentException.class, () -> QuantileInterval.ranks(0, 0.99, 0.05));
        assertThrows(IllegalArgumentException.class, () -> QuantileInterval.ranks(10, 1.0, 0.05));
        assertThrows(IllegalArgumentException.class, () -> QuantileInterval.ranks(10, 0.5, 0));
    }
}
