package org.platewarden.indexer.holds;

/**
 * No such hold for this agency. A hold of another agency is reported the same way, so its
 * existence does not leak (the HTTP layer answers 404).
 */
public final class HoldNotFoundException extends RuntimeException {
    public HoldNotFoundException(String holdId, String agency) {
        super("no hold " + holdId + " for agency " + agency, null, false, false);
    }
}
