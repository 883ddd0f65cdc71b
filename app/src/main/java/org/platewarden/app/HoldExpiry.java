package org.platewarden.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.platewarden.indexer.holds.Hold;
import org.platewarden.indexer.holds.HoldService;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases holds whose {@code until} date has passed ({@link HoldService#releaseExpired}) on the
 * retention sweeper's interval, and writes each release to the audit trail as a supervisor's
 * release would be: a hold keeps reads beyond the 21 days only while it lasts, and the auditor sees
 * when it stopped. Searches already ignore an ended hold's reads at query time; this deletes them.
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
     * One pass, on the caller's Vert.x context: completes once every ended hold is released and
     * audited. A release is done before its record is written (as a supervisor's is); a record that
     * cannot be written fails the pass and names the hold in the log at ERROR, since a released
     * hold is not found again by the next pass.
     */
    Future<List<Hold>> runOnce() {
        return Future.fromCompletionStage(holds.releaseExpired(), vertx.getOrCreateContext())
                .compose(released -> Future.all(released.stream().map(this::audited).toList()).map(all -> released))
                .onFailure(e -> LOG.error("releasing holds past their until date failed: {}", e.toString()));
    }

    private Future<?> audited(Hold hold) {
        return audit.record(entry(hold)).onFailure(e -> LOG.error(
                "hold {} (agency {}, case {}) was released because its until date passed, but its audit record could not be written: {}",
                hold.id(), hold.agency(), hold.caseNumber(), e.toString()));
    }

    static AuditEntry entry(Hold hold) {
        ObjectNode query = JSON.createObjectNode();
        query.put("hold_id", hold.id());
        query.put("until", hold.until().toString());
        return new AuditEntry(ACTION, HoldService.EXPIRY_USER, hold.agency(), Set.of(), null, hold.caseNumber(), query,
                null, "allowed", "the hold's until date passed; released automatically", 200,
                (int) Math.min(Integer.MAX_VALUE, hold.readCount()), List.of());
    }

    @Override
    public void close() {
        if (timer >= 0) vertx.cancelTimer(timer);
    }
}
