package org.platewarden.core.spool;

/** An fsync or write failed: the spool stops accepting (fail-stop) because durability is unknown. */
public final class SpoolFailedException extends RuntimeException {
    public SpoolFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
