package org.platewarden.search.query;

/**
 * The plate pattern and filters select more candidate reads than one search may verify; the
 * caller must narrow the search (answered with 400). Refusing is the honest choice: returning the
 * verified part would silently drop matches and break the ranking.
 */
public final class TooBroadException extends RuntimeException {
    public TooBroadException(long candidates, int max) {
        super("the search is too broad: more than " + max + " candidate reads (" + candidates
                + " found); give more known plate characters, fewer edits, a shorter window or camera/vehicle filters",
                null, false, false);
    }
}
