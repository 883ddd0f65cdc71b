package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SeqRangesTest {
    @Test
    void consecutiveSeqsAreOneRange() {
        SeqRanges seqs = new SeqRanges();
        for (long seq : new long[] {4, 9, 10, 11}) seqs.add(seq);
        assertEquals("seqs 4, 9-11 (4 records)", seqs.toString());
        assertEquals("4, 9-11", seqs.ranges());
        SeqRanges one = new SeqRanges();
        one.add(6);
        assertEquals("seq 6 (1 record)", one.toString());
    }

    @Test
    void onlyTheFirstRangesAreToldAndTheCountIsWhole() {
        SeqRanges seqs = new SeqRanges();
        for (long seq = 1; seq <= 60; seq += 2) seqs.add(seq);
        assertEquals(30, seqs.count());
        assertEquals(true, seqs.ranges().endsWith(", 39 and 10 more ranges"), seqs.ranges());
    }
}
