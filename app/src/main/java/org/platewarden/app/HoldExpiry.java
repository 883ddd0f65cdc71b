package org.platewarden.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.platewarden.indexer.holds.Hold;
import org.platewarden.indexer.RequestFailures;
import org.platewarden.indexer.holds.HoldService;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.AuditRecord;
import org.platewarden.search.audit.Corrections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases holds whose {@code until} date has passed on the retention sweeper's interval, and
 * writes each release to the audit trail as a supervisor's release would be: a hold keeps reads
 * beyond the 21 days only while it lasts, and the auditor sees when it stopped. Searches already
 * ignore an ended hold's reads at query time; this deletes them.
 *
 * <p>Every search node runs this pass, so each release is first claimed for this node
 * ({@link HoldService#claimRelease}, a conditional update of the hold's definition): of two nodes
 * whose passes meet on one hold, one records and releases it and the other skips it. A claim stands
 * {@link HoldService#RELEASE_CLAIM_TTL} against other nodes; the node's own later passes take it again
 * (its passes take turns on a hold: {@link #inProgress}), and a node that claimed and died leaves it
 * to another node's first pass after that.
 *
 * <p>Each hold's release is recorded <em>before</em> it is made (claimed, then the audit record, then
 * {@link HoldService#releaseEnded}), so no release can happen without its record: if the record
 * cannot be written the hold is left as it is and a later pass tries again; if the release fails
 * after its record, a record naming it says so (as a supervisor's failed change has one), and a later
 * pass finds the hold again, records it again and releases it. If the record's write failed after it
 * reached one copy of the trail (journal or index), it is in the trail all the same, and a
 * {@code request_correction} naming it says the hold was not released ({@link #corrected}). The trail
 * may therefore hold a second record for one automatic release, each earlier one followed by the
 * record of its failure, never none; and a node whose claim expired before it released the hold (a
 * release slower than the claim's bound) finds its release refused, so it too writes the record of
 * its failure after the record of the node that took the release over.
 */
final class HoldExpiry implements AutoCloseable {
    static final String ACTION = "hold_release";
    private static final Logger LOG = LoggerFactory.getLogger(HoldExpiry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final HoldService holds;
    private final AuditLog audit;
    private final String nodeId;
    /**
     * The holds a pass of this node is releasing now: the
     * hourly pass and {@code ops retention-run} may run at once, and a node takes its own claims
     * again, so it is this set that keeps them from recording one release twice.
     */
    private final java.util.Set<String> inProgress = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private long timer = -1;

    /** @param nodeId this node's id ({@code node_id}), which its claims on releases carry */
    HoldExpiry(Vertx vertx, HoldService holds, AuditLog audit, String nodeId) {
        this.vertx = vertx;
        this.holds = holds;
        this.audit = audit;
        this.nodeId = nodeId;
    }

    /** A pass now and then one every {@code interval}. */
    void start(Duration interval) {
        vertx.runOnContext(v -> runOnce());
        timer = vertx.setPeriodic(interval.toMillis(), id -> runOnce());
    }

    /**
     * One pass, on the caller's Vert.x context: records and releases every ended hold, each on its
     * own (one that fails does not stop the others). Completes with the holds this pass released;
     * fails only when the ended holds cannot be listed.
     */
    Future<List<Hold>> runOnce() {
        Context context = vertx.getOrCreateContext();
        return Future.fromCompletionStage(holds.ended(), context)
                .compose(ended -> {
                    List<Future<Hold>> each = ended.stream().filter(hold -> inProgress.add(hold.id()))
                            .map(hold -> claimedRecordedThenReleased(context, hold).onComplete(done -> inProgress.remove(hold.id())))
                            .toList();
                    return Future.join(each).transform(done -> Future.succeededFuture(each.stream()
                            .filter(Future::succeeded).map(Future::result).filter(java.util.Objects::nonNull)
                            .filter(h -> HoldService.EXPIRY_USER.equals(h.releasedBy())).toList()));
                })
                .onSuccess(released -> {
                    if (!released.isEmpty()) LOG.info("released {} hold(s) whose until date passed", released.size());
                })
                .onFailure(e -> LOG.error("listing holds past their until date failed: {}", e.toString()))
                .andThen(done -> finishInterruptedReleases(context));
    }

    /**
     * Deletes what interrupted releases left: copies of holds already marked released (a release,
     * automatic or a supervisor's, whose deletion failed after the definition was marked). Their
     * release's record is in the trail already, naming the reads; this only makes it true.
     */
    private void finishInterruptedReleases(Context context) {
        Future.fromCompletionStage(holds.deleteLeftoverCopies(), context)
                .onFailure(e -> LOG.error("looking for held copies of released holds failed ({}); a later pass tries again",
                        RequestFailures.unwrap(e).toString()));
    }

    /** The hold's release, unless another node claimed it (then null: that node records and makes it). */
    private Future<Hold> claimedRecordedThenReleased(Context context, Hold hold) {
        return Future.fromCompletionStage(holds.claimRelease(hold, nodeId), context)
                .onFailure(e -> LOG.error("hold {} (agency {}, case {}) is past its until date but its release could not be claimed "
                        + "({}); a later pass tries again", hold.id(), hold.agency(), hold.caseNumber(), e.toString()))
                .compose(claim -> claim.isEmpty() ? Future.<Hold>succeededFuture(null) : recordedThenReleased(context, claim.get()));
    }

    private Future<Hold> recordedThenReleased(Context context, HoldService.ReleaseClaim claim) {
        Hold hold = claim.hold();
        return Future.fromCompletionStage(holds.heldReads(hold, org.platewarden.search.api.HoldsApi.MAX_RELEASE_READ_IDS), context)
                .compose(held -> {
                    AuditEntry entry = entry(hold, held);
                    return audit.record(entry).recover(e -> corrected(hold, entry, e));
                })
                .onFailure(e -> LOG.error("hold {} (agency {}, case {}) is past its until date but its release could not be "
                        + "recorded ({}); it is not released until a later pass records it", hold.id(), hold.agency(),
                        hold.caseNumber(), e.toString()))
                .compose(recorded -> Future.fromCompletionStage(holds.releaseEnded(claim), context)
                        .recover(e -> {
                            LOG.error("hold {} (agency {}, case {}): its automatic release is recorded (audit {}) "
                                    + "but failed ({}); a later pass records and releases it again", hold.id(), hold.agency(),
                                    hold.caseNumber(), recorded.auditId(), e.toString());
                            return Corrections.owe(audit, failure(hold, recorded.auditId(), e), "hold " + hold.id())
                                    .compose(v -> Future.<Hold>failedFuture(e));
                        })
                        .onSuccess(released -> {
                            if (!HoldService.EXPIRY_USER.equals(released.releasedBy())) {
                                LOG.warn("hold {} was released by {} just before its automatic release (audit {}); "
                                        + "the hold records theirs", hold.id(), released.releasedBy(), recorded.auditId());
                            }
                        }));
    }

    /**
     * The release's record could not be written to both copies of the trail, so the hold is not
     * released in this pass; but if the record reached one of them it is in the trail all the same,
     * saying the hold was released. A {@value Corrections#REQUEST} naming it follows it then, as a
     * record the trail owes, as for a supervisor's request answered 503 ({@link Corrections}).
     */
    private Future<AuditRecord> corrected(Hold hold, AuditEntry entry, Throwable e) {
        AuditEntry correction = Corrections.ofUnwritten(entry, e, Corrections.REQUEST, ACTION,
                "the hold was not released; a later pass records its release again and makes it");
        if (correction == null) return Future.failedFuture(e);
        LOG.warn("hold {}: {}", hold.id(), correction.reason());
        return Corrections.owe(audit, correction, "hold " + hold.id()).compose(v -> Future.failedFuture(e));
    }

    /**
     * The record that the release recorded as {@code intent} failed, as a supervisor's failed change
     * has one: otherwise that record would stand alone until a later pass, saying the reads were
     * deleted. Written as a record the trail owes. A release Elasticsearch did not answer in time may
     * have been made all the same, and the record says so ({@link Corrections#failedChange}).
     */
    static AuditEntry failure(Hold hold, String intent, Throwable e) {
        ObjectNode query = JSON.createObjectNode();
        query.put("hold_id", hold.id());
        query.put("until", hold.until().toString());
        return new AuditEntry(ACTION, HoldService.EXPIRY_USER, hold.agency(), Set.of(), null, hold.caseNumber(), query,
                null, Corrections.FAILED, Corrections.failedChange(intent, e, RequestFailures.unwrap(e).toString())
                + "; a later pass makes it (recording it again unless the hold was already marked released)", 500, 0, List.of());
    }

    /** The release's record: like a supervisor's, it names the held reads it deletes ({@code hit_count}, {@code read_ids}). */
    static AuditEntry entry(Hold hold, HoldService.HeldReads held) {
        ObjectNode query = JSON.createObjectNode();
        query.put("hold_id", hold.id());
        query.put("until", hold.until().toString());
        String reason = "the hold's until date passed; released automatically";
        String listed = org.platewarden.search.api.HoldsApi.readIdsNote(held.count(), held.readIds().size());
        if (listed != null) reason += "; " + listed;
        return new AuditEntry(ACTION, HoldService.EXPIRY_USER, hold.agency(), Set.of(), null, hold.caseNumber(), query,
                null, "allowed", reason, 200, (int) Math.min(Integer.MAX_VALUE, held.count()), held.readIds());
    }

    @Override
    public void close() {
        if (timer >= 0) vertx.cancelTimer(timer);
    }
}
