package org.platewarden.search.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * Seqs added in ascending order, told as ranges ("4, 9-11"): what start-up took into the journal
 * or re-sent to the index, for its log line and its audit record. After a lost disk that can be
 * millions of seqs, usually one range; the ranges told are capped, the count is not.
 */
final class SeqRanges {
    private static final int TOLD = 20;
    private final List<long[]> ranges = new ArrayList<>();
    private long count;

    void add(long seq) {
        long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
        if (last != null && last[1] == seq - 1) last[1] = seq;
        else ranges.add(new long[] {seq, seq});
        count++;
    }

    boolean isEmpty() {
        return count == 0;
    }

    long count() {
        return count;
    }

    /** "6", "4, 9-11", at most {@value #TOLD} ranges and then how many more. */
    String ranges() {
        StringBuilder told = new StringBuilder();
        for (int i = 0; i < Math.min(TOLD, ranges.size()); i++) {
            long[] r = ranges.get(i);
            if (i > 0) told.append(", ");
            told.append(r[0]);
            if (r[1] > r[0]) told.append('-').append(r[1]);
        }
        if (ranges.size() > TOLD) told.append(" and ").append(ranges.size() - TOLD).append(" more ranges");
        return told.toString();
    }

    /** "seq 6 (1 record)", "seqs 4, 9-11 (4 records)". */
    @Override
    public String toString() {
        return (count == 1 ? "seq " : "seqs ") + ranges() + " (" + count + (count == 1 ? " record)" : " records)");
    }
}
