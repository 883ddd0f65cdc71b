package org.platewarden.search.query;

/**
 * Elasticsearch could not answer a search: {@code status} is what the API answers (503 when the
 * cluster is unreachable, overloaded or timed out, so a retry may succeed; 500 otherwise).
 */
public class SearchBackendException extends RuntimeException {
    private final int status;
    private final boolean shardStarting;

    public SearchBackendException(int status, String message, Throwable cause) {
        this(status, message, cause, false);
    }

    public SearchBackendException(int status, String message, Throwable cause, boolean shardStarting) {
        super(message, cause);
        this.status = status;
        this.shardStarting = shardStarting;
    }

    /** True when a shard was not yet available (typically an index created a moment ago): worth a short retry. */
    public boolean shardStarting() {
        return shardStarting;
    }

    public int status() {
        return status;
    }
}
