package org.platewarden.gateway.http;

/** A request the gateway refuses before ingest, with the HTTP status to answer (400, 413, 415). */
public final class HttpProblem extends RuntimeException {
    private final int status;

    public HttpProblem(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
