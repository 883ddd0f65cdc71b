package org.platewarden.core.spool;

/**
 * One append's records are more than a frame can hold ({@link Spool#MAX_APPEND_BYTES}). Not a
 * transient state like {@link SpoolFullException}: the same append is refused every time, so the
 * caller must say so (HTTP 413) rather than ask for a retry.
 */
public final class AppendTooLargeException extends IllegalArgumentException {
    public AppendTooLargeException(String message) {
        super(message);
    }
}
