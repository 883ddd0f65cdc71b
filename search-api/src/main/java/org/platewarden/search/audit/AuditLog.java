package org.platewarden.search.audit;

import io.vertx.core.Future;

/**
 * The tamper-evident audit trail. {@link #record} completes only once the record is durable
 * (fsynced locally and written to the audit index); a caller must not send any result before that,
 * and must fail the request if it fails (fail closed).
 */
public interface AuditLog {
    Future<AuditRecord> record(AuditEntry entry);

    /**
     * A record the trail owes: what in fact became of a request whose record is in the trail although
     * its write failed ({@link AuditUnavailableException#recordedAs}). It is not refused for the
     * trail's capacity, and if it cannot be written now it is kept and written ahead of the next
     * records, until it is in the trail. Completes once the first attempt is over: succeeded when the
     * record is in the trail (in the journal or the index, as the record it follows), failed when
     * it is still owed.
     */
    default Future<Void> recordOwed(AuditEntry entry) {
        return record(entry).mapEmpty();
    }

    /**
     * Why the trail cannot take records now, as far as it knows without writing one (a readiness
     * probe asks, and must not write); null when nothing says it cannot.
     */
    default String writeProblem() {
        return null;
    }

    /**
     * This node's chain head as its journal holds it durably (the last record whose line is
     * fsynced), published as the node's own anchor; null before its first record, and for a log
     * that keeps no journal.
     */
    default ChainHead journaledHead() {
        return null;
    }

    /**
     * Whether a head the audit index shows for this node's id can be a record this node wrote: true
     * when it is below the journal's durable head (the index lags while records are in flight), is
     * that head (same seq and hash), or is the one record whose seq is spent while its journal line
     * is being written (a lone record is indexed meanwhile). False for anything else: a record
     * added to the index under this node's id, or a second record at the head's seq.
     */
    default boolean mayBeOwnHead(ChainHead indexHead) {
        return false;
    }
}
