package org.platewarden.gateway.auth;

/** Unknown camera, wrong secret or missing credentials; deliberately does not say which. */
public final class BadCredentialsException extends RuntimeException {
    public BadCredentialsException() {
        super("bad camera credentials", null, false, false);
    }
}
