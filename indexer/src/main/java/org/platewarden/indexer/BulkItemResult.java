package org.platewarden.indexer;

/**
 * Elasticsearch's answer for one create operation of a bulk request: the HTTP-like status and,
 * for a failure, the error type and reason (e.g. {@code mapper_parsing_exception}).
 * {@code wholeRequest} marks the answer to a bulk request that carried only this read and was
 * refused as a whole ({@link BisectingSend}); its error type is null when the refusal had no
 * Elasticsearch error body (a 413, a proxy), and the reason is then the client's message.
 */
public record BulkItemResult(int status, String errorType, String errorReason, boolean wholeRequest) {
    public BulkItemResult(int status, String errorType, String errorReason) {
        this(status, errorType, errorReason, false);
    }

    public static BulkItemResult ok(int status) {
        return new BulkItemResult(status, null, null);
    }

    /** Why Elasticsearch refused the read, for its dead letter. */
    String refusal() {
        String what = wholeRequest ? "the bulk request containing only this read" : "the read";
        return "elasticsearch_refused: elasticsearch refused " + what + " (" + status + (errorType == null ? "" : " " + errorType) + "): " + errorReason;
    }
}
