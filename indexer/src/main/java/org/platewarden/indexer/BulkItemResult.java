package org.platewarden.indexer;

/**
 * Elasticsearch's answer for one create operation of a bulk request: the HTTP-like status and,
 * for a failure, the error type and reason (e.g. {@code mapper_parsing_exception}).
 */
public record BulkItemResult(int status, String errorType, String errorReason) {
    public static BulkItemResult ok(int status) {
        return new BulkItemResult(status, null, null);
    }
}
