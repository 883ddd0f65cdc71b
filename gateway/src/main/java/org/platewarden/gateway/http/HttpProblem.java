package org.platewarden.gateway.http;

import org.platewarden.core.read.Rejection;

/**
 * A request the gateway refuses before ingest, with the HTTP status to answer (400, 413, 415) and,
 * for a body refused whole, the reason code its dead letter and the rejected-reads metric carry.
 */
public final class HttpProblem extends RuntimeException {
    private final int status;
    private final String code;

    public HttpProblem(int status, String message) {
        this(status, Rejection.INVALID_JSON, message);
    }

    public HttpProblem(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
