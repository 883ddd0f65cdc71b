package org.platewarden.search.access;

/**
 * Why a request is not served: the HTTP status, the audit outcome (refused, invalid,
 * rate_limited, failed) and a message for the caller that is also the audit reason.
 * {@code retryAfterSeconds} is positive only for rate limiting (a 429, or a 503 {@link #busy}).
 */
public record Refusal(int status, String outcome, String reason, int retryAfterSeconds) {
    public static final String REFUSED = "refused";
    public static final String INVALID = "invalid";
    public static final String RATE_LIMITED = "rate_limited";
    public static final String FAILED = "failed";

    public static Refusal forbidden(String reason) {
        return new Refusal(403, REFUSED, reason, 0);
    }

    public static Refusal invalid(String reason) {
        return new Refusal(400, INVALID, reason, 0);
    }

    public static Refusal rateLimited(String reason, int retryAfterSeconds) {
        return new Refusal(429, RATE_LIMITED, reason, Math.max(1, retryAfterSeconds));
    }

    /**
     * The node was running as many searches as it runs at once, and none ended in time: 503 with
     * {@code Retry-After: 1}. Nothing failed and no rule refused the search, so its outcome is
     * {@value #RATE_LIMITED}, as a 429's (the record's status, 503, tells the two apart): it is not
     * counted among failed searches, and its records fall under the refused-request budget as a 429's do.
     */
    public static Refusal busy(String reason) {
        return new Refusal(503, RATE_LIMITED, reason, 1);
    }

    public static Refusal failed(int status, String reason) {
        return new Refusal(status, FAILED, reason, 0);
    }
}
