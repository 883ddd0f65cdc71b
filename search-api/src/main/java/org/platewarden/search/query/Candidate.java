package org.platewarden.search.query;

import org.platewarden.core.plate.PlateMatch;

/**
 * A read that matched the plate query, as much of it as ranking needs; its document is fetched
 * only if it makes the page. {@code index}/{@code docId} locate the copy to fetch.
 */
record Candidate(String readId, long capturedAtMs, String index, String docId, PlateMatch match, boolean held) {
    Candidate asHeld() {
        return held ? this : new Candidate(readId, capturedAtMs, index, docId, match, true);
    }
}
