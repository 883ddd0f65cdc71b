package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import java.util.List;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records that correct a record of the trail: what in fact became of a request whose record says
 * otherwise. The one case every audited route shares: a request answered 503 because its record could
 * not be written to both copies of the trail (journal and index), although the record reached one of
 * them ({@link AuditUnavailableException#recordedAs}) — that copy's record is re-sent to the other and
 * would read "allowed": a search that showed its page, a hold created or released, a report served. So
 * the caller writes a correction naming it ({@code query.corrects}), outcome {@value #FAILED}, status
 * 503, no reads, as a record the trail owes ({@link AuditLog#recordOwed}), before the 503 leaves.
 *
 * <p>Only a record that says the request was {@code allowed} is corrected: a refusal's record (refused,
 * invalid, a failed change's failure record) already says nothing was done or shown.
 *
 * <p>The action tells what is corrected: {@value #SEARCH} a search's record (also when its page came
 * back short), {@value #REQUEST} the record of any other audited request (its {@code query} names the
 * corrected record's action too, {@code corrects_action}).
 */
public final class Corrections {
    /** The action of a record that corrects a search's. */
    public static final String SEARCH = "search_correction";
    /** The action of a record that corrects the record of any other audited request (a hold's change, a report, an ops view or run). */
    public static final String REQUEST = "request_correction";
    public static final String FAILED = "failed";
    /** The status of the answer a correction of an unwritten record describes. */
    public static final int UNAVAILABLE = 503;
    /** The field of a correction's {@code query} that names the corrected record's audit id. */
    public static final String CORRECTS = "corrects";
    /** The field of a {@value #REQUEST}'s {@code query} that names the corrected record's action. */
    public static final String CORRECTS_ACTION = "corrects_action";
    /** The field of every record of a hold that names it. */
    private static final String HOLD_ID = "hold_id";
    private static final Logger LOG = LoggerFactory.getLogger(Corrections.class);

    private Corrections() {
    }

    /**
     * The audit id of the record a failed write left in the trail all the same (its seq was spent:
     * {@link AuditUnavailableException#recordedAs}), or null when the failure left none.
     */
    public static String recordedAs(Throwable failure) {
        return failure instanceof AuditUnavailableException u ? u.recordedAs() : null;
    }

    /**
     * The correction a failed write of {@code corrected} calls for, or null when it calls for none:
     * the failure left the record in neither copy, or the record does not say the request was
     * {@code allowed}. The correction is the corrected record's caller, purpose, case number and client,
     * with outcome {@value #FAILED}, status {@value #UNAVAILABLE}, the corrected record's
     * {@code hit_count} and no {@code read_ids}; its {@code query} names the corrected record
     * ({@value #CORRECTS}) and, for a {@value #REQUEST}, its action ({@value #CORRECTS_ACTION}) and the
     * hold it was about ({@code hold_id}, when its query names one: every record of a hold carries it).
     *
     * @param action      {@value #SEARCH} or {@value #REQUEST}
     * @param what        what the record is of, in the reason ({@code "search"}, the route's action)
     * @param consequence what became of the request, e.g. {@code "the search was answered 503 and no reads were returned"}
     */
    public static AuditEntry ofUnwritten(AuditEntry corrected, Throwable failure, String action, String what, String consequence) {
        String recorded = recordedAs(failure);
        if (recorded == null || !"allowed".equals(corrected.outcome())) return null;
        return correction(corrected, recorded, action, UNAVAILABLE, unwrittenReason(what, recorded, consequence));
    }

    /** The status of an answer that could not be written ({@link #ofUnanswered}). */
    public static final int INTERNAL_ERROR = 500;

    /**
     * The correction of the record {@code correctedAuditId} of a request that was recorded
     * {@code allowed} — a search with its page, a read served — and then answered 500 because its
     * answer could not be written (a throw while it was built or sent): nothing it recorded as shown
     * was shown. As {@link #ofUnwritten}'s, with status {@value #INTERNAL_ERROR}; the reason names the
     * record and the error id the caller got and the node logged.
     *
     * @param action      {@value #SEARCH} or {@value #REQUEST}
     * @param corrected   the corrected record's caller, purpose, case number, client, hit count and query
     * @param what        what the record is of, in the reason ({@code "search"}, the route's action)
     * @param nothingShown what the caller did not get, e.g. {@code "no reads were returned"}
     */
    public static AuditEntry ofUnanswered(AuditEntry corrected, String correctedAuditId, String action, String what, String errorId,
                                          String nothingShown) {
        return correction(corrected, correctedAuditId, action, INTERNAL_ERROR, "the answer to " + what + " " + correctedAuditId
                + " could not be written (internal error " + errorId + "), so the request was answered " + INTERNAL_ERROR + " and " + nothingShown);
    }

    private static AuditEntry correction(AuditEntry corrected, String correctedAuditId, String action, int status, String reason) {
        ObjectNode query = query(correctedAuditId);
        if (REQUEST.equals(action)) {
            query.put(CORRECTS_ACTION, corrected.action());
            JsonNode holdId = corrected.query() == null ? null : corrected.query().get(HOLD_ID);
            if (holdId != null && holdId.isTextual()) query.put(HOLD_ID, holdId.asText());
        }
        return new AuditEntry(action, corrected.user(), corrected.agency(), corrected.roles(), corrected.purpose(), corrected.caseNumber(),
                query, corrected.clientAddress(), FAILED, reason, status, corrected.hitCount(),
                List.of(), null, null, corrected.authMethod(), corrected.proxyAddress(), null);
    }

    /**
     * The reason of the record that says what became of a change recorded before it was made (its
     * intent, {@code intentAuditId}) when making it failed: the change "failed", or — when
     * {@code failure} is Elasticsearch not answering in time ({@link #mayHaveBeenMade}) — it "may have
     * been made", since Elasticsearch may carry out a request it did not answer: in part or in full.
     *
     * @param detail what went wrong, for the reason
     */
    public static String failedChange(String intentAuditId, Throwable failure, String detail) {
        return "the change recorded as audit " + intentAuditId + (mayHaveBeenMade(failure) ? " may have been made" : " failed") + ": " + detail;
    }

    /**
     * Whether a change that failed with {@code failure} may have been made all the same: one of its
     * requests reached Elasticsearch (or may have: no connection came free in time) and got no
     * answer — it timed out, or the connection broke before the answer — and Elasticsearch may carry
     * out a request it did not answer. Only reading it back can tell. Not a request that was never
     * sent (a refused connection: {@link ElasticsearchConnection#notSent}), which changed nothing, nor
     * the audit trail's own write ({@link AuditUnavailableException}), which is no part of the change.
     */
    public static boolean mayHaveBeenMade(Throwable failure) {
        return failure != null && !(failure instanceof AuditUnavailableException)
                && ElasticsearchConnection.unreachable(failure) && !ElasticsearchConnection.notSent(failure);
    }

    /** A correction's {@code query}: {@code {"corrects": correctedAuditId}}. */
    public static ObjectNode query(String correctedAuditId) {
        return CanonicalJson.MAPPER.createObjectNode().put(CORRECTS, correctedAuditId);
    }

    /**
     * The reason of a correction of an unwritten record: it names the record and what the caller got.
     *
     * @param what        what the record is of ({@code "search"}, an action)
     * @param consequence what became of the request, e.g. {@code "the search was answered 503 and no reads were returned"}
     */
    public static String unwrittenReason(String what, String correctedAuditId, String consequence) {
        return "the record of " + what + " " + correctedAuditId + " reached the audit trail but could not be written to both its copies"
                + " (journal and index), so " + consequence;
    }

    /**
     * Writes {@code correction} as a record the trail owes ({@link AuditLog#recordOwed}): not refused
     * for the trail's capacity, kept and written ahead of the next records if the journal refuses it
     * now. Completes, never failed, once its first attempt is over (logged at ERROR when the record is
     * still owed), so the caller can answer after it.
     *
     * @param about what the correction is about, for the log (e.g. {@code "search <audit id>"})
     */
    public static Future<Void> owe(AuditLog log, AuditEntry correction, String about) {
        Future<Void> owed;
        try {
            owed = log.recordOwed(correction);
        } catch (RuntimeException thrown) {
            owed = Future.failedFuture(thrown);
        }
        return owed.otherwise(failed -> {
            LOG.error("{}: its {} record could not be written yet ({}); the audit log keeps it and writes it ahead of the next records",
                    about, correction.action(), failed.getMessage());
            return null;
        });
    }
}
