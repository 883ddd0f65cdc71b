package org.platewarden.gateway.ingest;

/** A bounded worker pool or queue of ours is saturated: the caller is told to come back (503 / SERVER_BUSY). */
public final class OverloadedException extends RuntimeException {
    public OverloadedException(String what) {
        super(what + " saturated", null, false, false);
    }
}
