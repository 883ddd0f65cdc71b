package org.platewarden.search.query;

/** The search body breaks a rule; the message tells the caller which (answered with 400). */
public final class InvalidSearchRequestException extends RuntimeException {
    public InvalidSearchRequestException(String message) {
        super(message, null, false, false);
    }
}
