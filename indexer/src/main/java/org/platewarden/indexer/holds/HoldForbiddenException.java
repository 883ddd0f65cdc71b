package org.platewarden.indexer.holds;

/**
 * The agency may not hold reads at all: it sees no one's reads (a federal or unknown agency), so
 * it may not search them either. The HTTP layer answers 403, as it does for such a search.
 */
public final class HoldForbiddenException extends RuntimeException {
    public HoldForbiddenException(String agency) {
        super("agency " + agency + " may not see any reads, so it may not hold any", null, false, false);
    }
}
