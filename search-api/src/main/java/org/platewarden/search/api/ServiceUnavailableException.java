package org.platewarden.search.api;

/** A bounded resource of this server is full: 503 with Retry-After, the client should retry later. */
public class ServiceUnavailableException extends RuntimeException {
    public ServiceUnavailableException(String message) {
        super(message);
    }
}
