package org.platewarden.core.spool;

/** The spool is at capacity: the caller must push back (429/503, stop reading the socket). */
public final class SpoolFullException extends RuntimeException {
    public SpoolFullException(String message) {
        super(message, null, false, false);
    }
}
