package org.platewarden.search.auth;

/** An authenticated principal without the role a route needs: HTTP 403. */
public class ForbiddenException extends RuntimeException {
    public ForbiddenException(String message) {
        super(message);
    }
}
