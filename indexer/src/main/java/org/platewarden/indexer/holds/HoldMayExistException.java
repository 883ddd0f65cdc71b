package org.platewarden.indexer.holds;

/**
 * A hold's creation whose definition's write Elasticsearch did not answer, and whose read-back failed
 * too: the hold may exist (Elasticsearch may have stored the definition), so its copies are kept —
 * evidence is never deleted unless it is known to be unreferenced. The cause is the write's failure
 * (a timeout, a connection broken after sending), the read-back's is suppressed on it.
 */
public final class HoldMayExistException extends RuntimeException {
    private final String holdId;

    HoldMayExistException(String holdId, long copies, RuntimeException writeFailure) {
        super("hold " + holdId + " may exist: its definition's write was not answered and could not be read back, so its "
                + copies + " copies are kept; GET /v1/holds lists it if it exists", writeFailure);
        this.holdId = holdId;
    }

    public String holdId() {
        return holdId;
    }
}
