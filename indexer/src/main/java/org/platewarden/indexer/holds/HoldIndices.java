package org.platewarden.indexer.holds;

import org.platewarden.core.index.DailyIndex;

/**
 * Where holds live: the held copies in {@code <prefix>-holds} (one document per held read, id
 * {@code holdId:read_id}), the hold definitions in {@code <prefix>-holds-meta} (id = hold id), and
 * the daily read indices a creation copies from. Both holds indices share the template
 * {@code <prefix>-holds*}, which has no lifecycle. One place for the names, so that every hold class
 * reaches the same indices.
 */
record HoldIndices(String prefix, String holds, String meta) {
    /**
     * Appended to a path over indices that may not exist yet (no hold made, no read indexed): such a
     * call answers nothing rather than failing.
     */
    static final String LENIENT = "?ignore_unavailable=true&allow_no_indices=true";

    static HoldIndices of(String prefix) {
        return new HoldIndices(prefix, prefix + "-holds", prefix + "-holds-meta");
    }

    /** Every daily read index: what a hold copies from. */
    String reads() {
        return DailyIndex.pattern(prefix);
    }
}
