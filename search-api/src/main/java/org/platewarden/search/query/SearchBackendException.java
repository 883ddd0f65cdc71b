package org.platewarden.search.query;

/**
 * Elasticsearch could not answer a search: {@code status} is what the API answers (503 when the
 * cluster is unreachable, overloaded or timed out, so a retry may succeed; 500 otherwise).
 */
public final class SearchBackendException extends RuntimeException {
    private final int status;

    public SearchBackendException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
