package org.platewarden.search.query;

import org.platewarden.core.plate.PlateMatch;

/**
 * A read that matched the plate query, as much of it as ranking needs; its document is fetched
 * only if it makes the page. {@code index}/{@code docId} locate the copy to fetch. {@code holdId}:
 * the hold whose held copy made the read a match (a copy's {@code hold.hold_id}), also on a daily
 * read that is held too; null for a read no hold keeps.
 */
record Candidate(String readId, long capturedAtMs, String index, String docId, PlateMatch match, String holdId) {
    boolean held() {
        return holdId != null;
    }

    /** This read, marked as kept by {@code holdId}'s hold (a daily read that is held too stays the daily document). */
    Candidate heldBy(String holdId) {
        return held() ? this : new Candidate(readId, capturedAtMs, index, docId, match, holdId);
    }
}
