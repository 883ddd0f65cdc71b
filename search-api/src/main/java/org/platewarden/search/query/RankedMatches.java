package org.platewarden.search.query;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.platewarden.core.plate.PlateMatchRanking;

/**
 * Merges the matches from the daily indices and the holds index (one hit per read id; a read that
 * is also held is marked held), ranks them with {@link PlateMatchRanking} and cuts the requested
 * page: the first {@code limit} matches ranking strictly after the page token.
 */
final class RankedMatches {
    static final Comparator<Candidate> ORDER =
            PlateMatchRanking.comparator(Candidate::match, Candidate::capturedAtMs, Candidate::readId);

    /** @param next the token for the following page, or null when this page is the last */
    record Page(int total, List<Candidate> hits, PageToken next) {
    }

    private RankedMatches() {
    }

    static Page rank(List<Candidate> reads, List<Candidate> holds, PageToken after, int limit) {
        Map<String, Candidate> byId = new LinkedHashMap<>(reads.size() + holds.size());
        for (Candidate c : reads) byId.putIfAbsent(c.readId(), c);
        for (Candidate h : holds) {
            Candidate existing = byId.get(h.readId());
            byId.put(h.readId(), existing == null ? h : existing.heldBy(h.holdId()));
        }
        List<Candidate> all = new ArrayList<>(byId.values());
        all.sort(ORDER);
        int start = 0;
        if (after != null) {
            Candidate key = new Candidate(after.readId(), after.capturedAtMs(), null, null, after.tierMatch(), null);
            while (start < all.size() && ORDER.compare(all.get(start), key) <= 0) start++;
        }
        int end = Math.min(all.size(), start + limit);
        List<Candidate> page = List.copyOf(all.subList(start, end));
        PageToken next = null;
        if (end < all.size() && !page.isEmpty()) {
            Candidate last = page.get(page.size() - 1);
            next = new PageToken(last.match().tier(), last.capturedAtMs(), last.readId());
        }
        return new Page(all.size(), page, next);
    }
}
