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
 * <p>Each hold's release is recorded <em>before</em> it is made ({@link HoldService#ended}, then
 * the audit record, then {@link HoldService#releaseEnded}), so no release can happen without its
 * record: if the record cannot be written the hold is left as it is and the next pass tries
 * again; if the release fails after its record, a record naming it says so (as a supervisor's failed
 * change has one), and the next pass finds the hold again, records it again and releases it. If the
 * record's write failed after it reached one copy of the trail (journal or index), it is in the trail
 * all the same, and a {@code request_correction} naming it says the hold was not released
 * ({@link #corrected}). The trail may therefore hold a second record for one automatic release, each
 * earlier one followed by the record of its failure, never none.
 */
final class HoldExpiry implements AutoCloseable {
    static final String ACTION = "hold_release";
    private static final Logger LOG = LoggerFactory.getLogger(HoldExpiry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final HoldService holds;
    private final AuditLog audit;
    private long timer = -1;

    HoldExpiry(Vertx vertx, HoldService holds, AuditLog audit) {
        this.vertx = vertx;
        this.holds = holds;
        this.audit = audit;
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
                    List<Future<Hold>> each = ended.stream().map(hold -> recordedThenReleased(context, hold)).toList();
                    return Future.join(each).transform(done -> Future.succeededFuture(each.stream()
                            .filter(Future::succeeded).map(Future::result)
                            .filter(h -> HoldService.EXPIRY_USER.equals(h.releasedBy())).toList()));
                })
                .onSuccess(released -> {
                    if (!released.isEmpty()) LOG.info("released {} hold(s) whose until date passed", released.size());
                })
                .onFailure(e -> LOG.error("listing holds past their until date failed: {}", e.toString()));
    }

    private Future<Hold> recordedThenReleased(Context context, Hold hold) {
        return Future.fromCompletionStage(holds.heldReads(hold, org.platewarden.search.api.HoldsApi.MAX_RELEASE_READ_IDS), context)
                .compose(held -> {
                    AuditEntry entry = entry(hold, held);
                    return audit.record(entry).recover(e -> corrected(hold, entry, e));
                })
                .onFailure(e -> LOG.error("hold {} (agency {}, case {}) is past its until date but its release could not be "
                        + "recorded ({}); it is not released until a later pass records it", hold.id(), hold.agency(),
                        hold.caseNumber(), e.toString()))
                .compose(recorded -> Future.fromCompletionStage(holds.releaseEnded(hold), context)
                        .recover(e -> {
                            LOG.error("hold {} (agency {}, case {}): its automatic release is recorded (audit {}) "
                                    + "but failed ({}); the next pass records and releases it again", hold.id(), hold.agency(),
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
                null, Corrections.FAILED, Corrections.failedChange(intent, e, e.toString())
                + "; a later pass records the release again and makes it", 500, 0, List.of());
    }

    /** The release's record: like a supervisor's, it names the held reads it deletes ({@code hit_count}, {@code read_ids}). */
    static AuditEntry entry(Hold hold, HoldService.HeldReads held) {
        ObjectNode query = JSON.createObjectNode();
        query.put("hold_id", hold.id());
        query.put("until", hold.until().toString());
        String reason = "the hold's until date passed; released automatically";
        if (held.count() > held.readIds().size()) {
            reason += "; read_ids lists the first " + held.readIds().size() + " of the " + held.count() + " held reads (by read id)";
        }
        return new AuditEntry(ACTION, HoldService.EXPIRY_USER, hold.agency(), Set.of(), null, hold.caseNumber(), query,
                null, "allowed", reason, 200, (int) Math.min(Integer.MAX_VALUE, held.count()), held.readIds());
    }

    @Override
    public void close() {
        if (timer >= 0) vertx.cancelTimer(timer);
    }
}
