package org.platewarden.search.api;

import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.search.audit.AuditUnavailableException;
import org.platewarden.search.audit.Corrections;
import org.platewarden.search.audit.EsRest;

/**
 * What an 8081 route's failure means when Elasticsearch is the cause, whatever backend made the
 * call (the search API's own async calls, the hold service's and index views' blocking ones): a
 * temporary unavailability, answered 503 with {@code Retry-After} and told apart by what it means for
 * a change recorded before it was made. Elasticsearch could not be reached (a refused connection: the
 * request was not sent, so it changed nothing), did not answer in time or broke the connection off
 * before answering (the request may have been carried out: {@link Corrections#mayHaveBeenMade}), or
 * answered that it cannot serve now (429, 5xx). Not the audit trail's own write
 * ({@link AuditUnavailableException}), which has its own answer.
 */
final class ElasticsearchFailure {
    /** A request that timed out: what the answer and the record say. */
    static final String NOT_ANSWERED_IN_TIME = "Elasticsearch did not answer in time";
    /** A request that was never sent: the connection was refused (nothing listens), or not made in time. */
    static final String NOT_REACHABLE = "Elasticsearch could not be reached (connection refused or not made)";
    /** What a request that was never sent means. */
    private static final String NOT_SENT = "the request was not sent";
    /** A request sent on a connection that broke before the answer came. */
    static final String CONNECTION_BROKEN = "Elasticsearch broke the connection off before answering";

    private ElasticsearchFailure() {
    }

    /** Whether {@code failure} (unwrapped) is Elasticsearch being unavailable: a 503 to retry, not a 500. */
    static boolean unavailable(Throwable failure) {
        if (failure == null || failure instanceof AuditUnavailableException) return false;
        int status = answeredStatus(failure);
        return status == 429 || status >= 500 || ElasticsearchConnection.unreachable(failure);
    }

    /** What went wrong, for the record's reason (after "the change recorded as audit … failed: ", for a change). */
    static String reason(Throwable failure) {
        return (ElasticsearchConnection.notSent(failure) ? NOT_REACHABLE + ": " + NOT_SENT : cause(failure)) + known(failure);
    }

    /** What the backend knows of a change left undecided ({@link MayHaveBeenMadeException}), after "; "; empty when nothing. */
    private static String known(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MayHaveBeenMadeException m) return "; " + m.getMessage();
        }
        return "";
    }

    private static String cause(Throwable failure) {
        if (ElasticsearchConnection.notSent(failure)) return NOT_REACHABLE;
        if (ElasticsearchConnection.timedOut(failure)) return NOT_ANSWERED_IN_TIME;
        int status = answeredStatus(failure);
        return status > 0 ? "Elasticsearch answered " + status + " (it cannot serve the request now)" : CONNECTION_BROKEN;
    }

    /**
     * The answer's error: retry later; or, for a change recorded before it was made
     * ({@code changeUnderWay}), what became of it — it may have been made when a request may have been
     * carried out though not answered; otherwise the failed request changed nothing, but the change
     * was not completed (a change is several requests). Look before doing it again either way.
     */
    static String message(Throwable failure, boolean changeUnderWay) {
        if (!changeUnderWay) return reason(failure) + "; retry later";
        String during = cause(failure) + " while the change was being made: ";
        if (Corrections.mayHaveBeenMade(failure)) return during + "it may have been made, in part or in full" + known(failure) + "; look before retrying";
        return during + (ElasticsearchConnection.notSent(failure) ? NOT_SENT + ", so it changed nothing" : "the request it refused changed nothing")
                + ", but the change was not completed; look before retrying";
    }

    /** The error status Elasticsearch answered, or 0 when it did not answer one. */
    private static int answeredStatus(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof EsRest.EsException e) return e.status();
            if (t instanceof org.platewarden.indexer.EsRest.EsCallException e) return e.status();
        }
        return 0;
    }
}
