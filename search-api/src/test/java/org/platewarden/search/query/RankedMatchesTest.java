package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.platewarden.core.plate.PlateMatch;

class RankedMatchesTest {
    static Candidate c(String id, long ms, PlateMatch m) {
        return new Candidate(id, ms, "idx", id, m, null);
    }

    @Test
    void ranksByTierThenRecencyThenIdAndMergesHolds() {
        List<Candidate> reads = List.of(c("a", 10, PlateMatch.edit(1)), c("b", 5, PlateMatch.EXACT),
                c("c", 20, PlateMatch.OCR), c("d", 5, PlateMatch.WILDCARD), c("e", 30, PlateMatch.edit(2)));
        List<Candidate> holds = List.of(new Candidate("b", 5, "holds", "h:b", PlateMatch.EXACT, "h"),
                new Candidate("z", 1, "holds", "h:z", PlateMatch.EXACT, "h"));
        RankedMatches.Page page = RankedMatches.rank(reads, holds, null, 100);
        assertEquals(List.of("b", "d", "z", "c", "a", "e"), page.hits().stream().map(Candidate::readId).toList());
        assertEquals(6, page.total());
        assertTrue(page.hits().get(0).held());
        assertEquals("idx", page.hits().get(0).index(), "the daily copy is fetched when there is one");
        assertNull(page.next());
    }

    @Test
    void pagesFollowTheToken() {
        List<Candidate> reads = new ArrayList<>();
        for (int i = 0; i < 10; i++) reads.add(c("r" + i, i % 3, i % 2 == 0 ? PlateMatch.EXACT : PlateMatch.edit(1)));
        List<String> all = RankedMatches.rank(reads, List.of(), null, 100).hits().stream().map(Candidate::readId).toList();
        List<String> paged = new ArrayList<>();
        PageToken token = null;
        do {
            RankedMatches.Page page = RankedMatches.rank(reads, List.of(), token == null ? null : PageToken.decode(token.encode("k"), "k"), 3);
            page.hits().forEach(h -> paged.add(h.readId()));
            token = page.next();
        } while (token != null);
        assertEquals(all, paged);
    }
}
