package org.platewarden.gateway.ingest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.core.config.Camera;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.read.ReadResult;
import org.platewarden.core.read.ReadValidator;
import org.platewarden.core.read.Rejection;
import org.platewarden.core.read.StoredRead;
import org.platewarden.core.spool.Spool;
import org.platewarden.gateway.metrics.GatewayMetrics;

/**
 * The protocol-independent part of ingest: validate a batch, append the valid reads to the spool
 * and the refused ones to the dead-letter store, and report only when both are durable; the caller
 * acknowledges nothing before the returned future completes. The refused reads are dead-lettered
 * only once the valid ones are stored: a batch the spool refuses (full, failed) is answered as a
 * whole and resent whole by the camera, and dead-lettering its bad reads on every attempt would
 * leave ops one dead letter per retry. A batch with no valid read is dead-lettered at once.
 */
public final class ReadIngestor {
    private final ReadValidator validator;
    private final Spool spool;
    private final DeadLetterStore deadLetters;
    private final SpoolHealth health;
    private final GatewayMetrics metrics;
    private final PlateInReadIds plateInReadIds;

    /** With a {@link PlateInReadIds} of its own: for a gateway of one instance (tests). */
    public ReadIngestor(ReadValidator validator, Spool spool, DeadLetterStore deadLetters, SpoolHealth health, GatewayMetrics metrics) {
        this(validator, spool, deadLetters, health, metrics, new PlateInReadIds(metrics));
    }

    /** @param plateInReadIds shared by the node's gateway instances, so its WARN is throttled once per node, not per event loop */
    public ReadIngestor(ReadValidator validator, Spool spool, DeadLetterStore deadLetters, SpoolHealth health, GatewayMetrics metrics,
                        PlateInReadIds plateInReadIds) {
        this.validator = validator;
        this.spool = spool;
        this.deadLetters = deadLetters;
        this.health = health;
        this.metrics = metrics;
        this.plateInReadIds = plateInReadIds;
    }

    /** Validation only (no I/O): cheap enough for the event loop. */
    public PreparedBatch prepare(List<IngestItem> items, Camera camera, String protocol, String source, String stage) {
        List<StoredRead> accepted = new ArrayList<>(items.size());
        List<ItemRejection> rejected = new ArrayList<>();
        List<DeadLetter> letters = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            IngestItem item = items.get(i);
            ReadResult result = item.parseError() != null ? item.parseError() : validator.validate(item.read(), camera, source);
            if (result instanceof StoredRead stored) {
                accepted.add(stored);
                plateInReadIds.check(item.read(), camera.id(), source);
            } else {
                Rejection r = (Rejection) result;
                rejected.add(new ItemRejection(i, r));
                letters.add(deadLetter(item, r, camera, stage));
                metrics.rejected(protocol, source, r.code());
            }
        }
        return new PreparedBatch(camera, source, accepted, rejected, letters);
    }

    /**
     * The refused read's bytes with its capture time, so the letter is filed under the read's own day
     * when that is earlier than today and goes when the read would ({@code DeadLetter#fileDay}),
     * whatever rule refused it; unless it was captured before the retention window: storing its plate
     * in a dead letter would keep it past the promise (the read id too, when it holds the plate).
     * The capture time is the earliest instant a {@code captured_at} without offset can denote; none
     * when it is missing or no date-time (filed by today, as it came).
     */
    public DeadLetter deadLetter(IngestItem item, Rejection r, Camera camera, String stage) {
        Instant captured = item.read() != null ? validator.captureTimeForRetention(item.read()) : item.capturedAt();
        if (captured == null || !validator.isPastRetention(captured)) {
            return DeadLetter.of(stage, camera.id(), r.readId(), r.reason(), item.payloadBytes()).withCapturedAt(captured);
        }
        String readId = item.read() != null && item.read().holdsPlate(r.readId()) ? null : r.readId();
        return DeadLetter.pastRetention(stage, camera.id(), readId, captured, r.reason());
    }

    /** Appends, then dead-letters; succeeds once both are durable. */
    public Future<IngestReport> store(PreparedBatch batch, String protocol) {
        return append(batch)
                .compose(seq -> deadLetter(batch.deadLetters()))
                .map(v -> {
                    metrics.accepted(protocol, batch.source(), batch.accepted().size());
                    return new IngestReport(batch.accepted().size(), batch.rejected());
                });
    }

    /** Spool append of the valid reads (a no-op for none); fails with SpoolFull/SpoolFailed unwrapped. */
    public Future<Long> append(PreparedBatch batch) {
        return append(batch.documents());
    }

    /** The same for documents already taken out of their batch (what a PUBLISH keeps while it waits for a full spool). */
    public Future<Long> append(List<byte[]> documents) {
        if (documents.isEmpty()) return Future.succeededFuture(spool.lastDurableSeq());
        Context ctx = context();
        Future<Long> f;
        try {
            f = ctx == null ? Future.fromCompletionStage(spool.append(documents))
                    : Future.fromCompletionStage(spool.append(documents), ctx);
        } catch (RuntimeException e) {
            f = Future.failedFuture(e);
        }
        return f.andThen(ar -> {
            if (ar.succeeded()) health.appended();
        }).recover(err -> {
            Throwable cause = Failures.unwrap(err);
            health.observe(cause);
            return Future.failedFuture(cause);
        });
    }

    public Future<Void> deadLetter(List<DeadLetter> letters) {
        if (letters.isEmpty()) return Future.succeededFuture();
        Context ctx = context();
        Future<Void> f = ctx == null ? Future.fromCompletionStage(deadLetters.appendAll(letters))
                : Future.fromCompletionStage(deadLetters.appendAll(letters), ctx);
        return f.recover(err -> Future.failedFuture(new DeadLetterUnavailableException(Failures.unwrap(err))));
    }

    public void countAccepted(String protocol, PreparedBatch batch) {
        countAccepted(protocol, batch.source(), batch.accepted().size());
    }

    public void countAccepted(String protocol, String source, int n) {
        metrics.accepted(protocol, source, n);
    }

    private static Context context() {
        return io.vertx.core.Vertx.currentContext();
    }
}
