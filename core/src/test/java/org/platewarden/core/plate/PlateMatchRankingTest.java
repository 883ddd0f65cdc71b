package org.platewarden.core.plate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlateMatchRankingTest {
    record Hit(String readId, long capturedAt, PlateMatch match) {
    }

    private static final Comparator<Hit> RANKING =
            PlateMatchRanking.comparator(Hit::match, Hit::capturedAt, Hit::readId);

    @Test
    void ordersByTierThenRecencyThenReadId() {
        List<Hit> expected = List.of(
                new Hit("w", 500, PlateMatch.WILDCARD),
                new Hit("e", 400, PlateMatch.EXACT),
                new Hit("a", 100, PlateMatch.EXACT),
                new Hit("b", 100, PlateMatch.WILDCARD),
                new Hit("o", 900, PlateMatch.OCR),
                new Hit("o2", 1, PlateMatch.OCR),
                new Hit("e1", 999, PlateMatch.edit(1)),
                new Hit("e1b", 10, PlateMatch.edit(1)),
                new Hit("e2", 1000, PlateMatch.edit(2)));
        for (long seed = 0; seed < 20; seed++) {
            List<Hit> shuffled = new ArrayList<>(expected);
            Collections.shuffle(shuffled, new Random(seed));
            shuffled.sort(RANKING);
            assertEquals(expected, shuffled);
        }
    }

    @Test
    void tiersAndScores() {
        assertEquals(0, PlateMatch.EXACT.tier());
        assertEquals(0, PlateMatch.WILDCARD.tier());
        assertEquals(1, PlateMatch.OCR.tier());
        assertEquals(2, PlateMatch.edit(1).tier());
        assertEquals(3, PlateMatch.edit(2).tier());
        assertEquals(1.0, PlateMatch.EXACT.score());
        assertEquals(0.25, PlateMatch.edit(2).score());
        assertEquals("wildcard", PlateMatch.WILDCARD.kind().jsonName());
    }
}
