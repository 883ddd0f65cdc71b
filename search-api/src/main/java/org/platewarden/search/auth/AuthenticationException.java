package org.platewarden.search.auth;

/** No credentials, or credentials that do not identify a principal: HTTP 401 with {@code WWW-Authenticate: Bearer}. */
public class AuthenticationException extends RuntimeException {
    public AuthenticationException(String message) {
        super(message);
    }
}
