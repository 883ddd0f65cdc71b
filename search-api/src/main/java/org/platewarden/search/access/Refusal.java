package org.platewarden.search.access;

/**
 * Why a request is not served: the HTTP status, the audit outcome (refused, invalid,
 * rate_limited, failed) and a message for the caller that is also the audit reason.
 * {@code retryAfterSeconds} is positive only for rate limiting.
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

    public static Refusal failed(int status, String reason) {
        return new Refusal(status, FAILED, reason, 0);
    }
}
