package org.platewarden.indexer.holds;

/**
 * A hold's creation whose definition's write Elasticsearch did not answer, and whose read-back failed
 * too, or whose read-back found nothing but whose marking as failed failed: the hold may exist
 * (Elasticsearch may have stored the definition, or may still), so its copies are kept — evidence is
 * never deleted unless it is known to be unreferenced. The cause is the write's failure (a timeout, a
 * connection broken after sending), the later request's is suppressed on it.
 */
public final class HoldMayExistException extends RuntimeException {
    /** Why it cannot be told: the read-back failed. */
    static final String NOT_READ_BACK = "could not be read back";
    /** Why it cannot be told: the read-back found nothing, but the creation could not be marked failed in its place. */
    static final String NOT_MARKED_FAILED = "was not found when read back, but its creation could not be marked failed in its place";

    private final String holdId;

    HoldMayExistException(String holdId, long copies, RuntimeException writeFailure, String undecided) {
        super("hold " + holdId + " may exist: its definition's write was not answered and " + undecided + ", so its "
                + copies + " copies are kept; GET /v1/holds lists it if it exists", writeFailure);
        this.holdId = holdId;
    }

    public String holdId() {
        return holdId;
    }
}
