package org.platewarden.indexer;

/** What to do with one bulk item after Elasticsearch answered. */
public enum ItemVerdict {
    /** created now */
    INDEXED,
    /**
     * 409 on create: a document is already stored under the read id; {@link ReadIdConflicts} tells
     * whether it is this read (a resend after a lost response, a read spooled twice) or another one
     */
    ALREADY_INDEXED,
    /** 408/429/5xx: the cluster is busy or a shard is unavailable; send again after a backoff */
    RETRY,
    /** any other 4xx: mapping or validation error; sending it again would fail the same way */
    DEAD_LETTER;

    public static ItemVerdict of(BulkItemResult r) {
        int s = r.status();
        if (s >= 200 && s < 300 && r.errorType() == null) return INDEXED;
        if (s == 409) return ALREADY_INDEXED;
        if (s == 408 || s == 429 || s >= 500) return RETRY;
        if (s >= 400) return DEAD_LETTER;
        return RETRY;
    }

    /** Tag for the retries counter. */
    public static String retryCause(BulkItemResult r) {
        int s = r.status();
        if (s == 429) return "item_429";
        if (s >= 500) return "item_5xx";
        return "item_" + s;
    }
}
