package org.platewarden.core.plate;

import java.util.Comparator;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Result order for plate searches: exact/wildcard (tier 0) before ocr (tier 1) before 1 edit
 * before 2 edits (see {@link PlateMatch#tier()}), then most recent capture first, then read id
 * ascending so that equal reads always come out in the same order (stable paging, reproducible
 * audits of "which ids were returned").
 */
public final class PlateMatchRanking {
    private PlateMatchRanking() {
    }

    /**
     * @param match          the hit's match (never null)
     * @param capturedAtMs   the hit's capture time, epoch milliseconds
     * @param readId         the hit's read id (never null)
     */
    public static <T> Comparator<T> comparator(Function<T, PlateMatch> match, ToLongFunction<T> capturedAtMs,
                                               Function<T, String> readId) {
        Comparator<T> byTier = Comparator.comparingInt(h -> match.apply(h).tier());
        Comparator<T> byRecency = Comparator.comparingLong(capturedAtMs).reversed();
        return byTier.thenComparing(byRecency).thenComparing(readId, Comparator.naturalOrder());
    }
}
