package org.platewarden.core.plate;

/**
 * A plate search the API must refuse with 400: the pattern is invalid, or the combination of
 * wildcards and edits cannot be served without scanning the term dictionary
 * ({@link #isUnsupported()}). The message is meant for the investigator.
 */
public class PlateQueryException extends IllegalArgumentException {
    private final boolean unsupported;

    PlateQueryException(String message) {
        this(message, false);
    }

    PlateQueryException(String message, boolean unsupported) {
        super(message);
        this.unsupported = unsupported;
    }

    static PlateQueryException unsupported(String message) {
        return new PlateQueryException(message, true);
    }

    /** true when the pattern is valid but this combination of wildcards and edits has no index-backed plan */
    public boolean isUnsupported() {
        return unsupported;
    }
}
