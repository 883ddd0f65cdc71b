package org.platewarden.indexer;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.platewarden.core.config.IndexerConfig;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.index.DailyIndexNames;
import org.platewarden.core.read.ReadInput;
import org.platewarden.core.read.Rejection;
import org.platewarden.core.spool.Spool;
import org.platewarden.core.spool.SpoolRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the spool and bulk-indexes every read into its daily index ({@code _id} = read id,
 * {@code op_type=create}), modelled on elasticsearch-java's BulkIngester but driven by the spool
 * instead of a caller:
 * <ul>
 * <li>batches close at {@code bulk_max_reads} reads, {@code bulk_max_bytes} bytes, or
 * {@code bulk_max_wait_ms} after their first read;</li>
 * <li>at most {@code max_in_flight} batches are unfinished (sent, or waiting to be retried) — that
 * is the back-pressure: while Elasticsearch is down nothing more is read, and the spool grows
 * until the gateway pushes back at its capacity;</li>
 * <li>per item: created is done; 408/429/5xx is retried with exponential backoff and jitter; any
 * other 4xx goes to the dead-letter store (with Elasticsearch's error type and reason) and is done
 * once that write is fsynced;</li>
 * <li>a 409 (something is already stored under the read id) is looked up, one {@code _mget} per
 * round for all of them ({@link ReadIdConflicts}): this read sent again is done; another read with
 * the same read_id dead-letters this one (a read_id conflict); a failed lookup leaves the reads to
 * be sent again with backoff, like a failed bulk;</li>
 * <li>a request refused as a whole for what it carries (400: a body Elasticsearch cannot parse or
 * validate; 413: too large) can never succeed, so {@link BisectingSend} sends its reads again as two
 * halves, one after the other, recursively: a read refused alone is dead-lettered like an item-level
 * 4xx — once Elasticsearch has accepted some other request since the batch was first sent, proof the
 * refusal is about that read and not about every request — the others are indexed. The halves are requests of the same batch, sent one at a time: a
 * split batch is still one of the {@code max_in_flight}, and it finishes (for the checkpoint) only
 * once each of its reads is indexed or dead-lettered. Any other whole-request failure (no answer,
 * 408/429/5xx, 401/403) retries the reads it left unanswered with backoff — the whole batch when
 * it was not split;</li>
 * <li>the spool checkpoint advances only over the contiguous run of finished batches at the head,
 * so after a crash the indexer resumes at the checkpoint and a resent read answers 409;</li>
 * <li>a checkpoint the spool fails to persist (a full disk: the write gets ENOSPC) is retried on a
 * timer with backoff (at most {@link #CHECKPOINT_RETRY_CAP} apart) until it is, whether or not more
 * reads arrive: until then the segments of reads already indexed keep their disk space, and a
 * gateway refusing reads for want of that space would otherwise wait for good
 * ({@code platewarden.indexer.checkpoint.failures}, an ERROR at most once a minute, an INFO once
 * it is persisted);</li>
 * <li>a read whose UTC capture day has passed {@code retention_days} by the time it would be sent
 * (it waited in the spool, or for Elasticsearch between attempts, e.g. through an outage of days) is
 * not indexed: that would create (or add to) the index of a day already due for deletion, which
 * then lives until the sweeper or ILM gets to it. It is dead-lettered as the gateway refuses such a
 * read ({@code too_old}), without its payload and plate ({@link DeadLetter#pastRetention}). Every
 * dead letter of a read carries its capture time, so it is filed under the read's day
 * ({@link DeadLetter#fileDay}).</li>
 * <li>once reads of a UTC day are in Elasticsearch (created, or found already there), that day is
 * recorded in the day registry {@code <prefix>-days}, once per day per start ({@link RecordedDays}):
 * how a daily index deleted by mistake is told from a day without reads.</li>
 * </ul>
 * All state lives on one owned thread ({@code indexer-<prefix>}); spool reads and checkpoint
 * writes (disk I/O) happen there, never on a Vert.x event loop, and bulk requests go out through
 * the async client, whose callbacks hop back onto that thread.
 */
public final class Indexer {
    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);
    /** action line and NDJSON framing per operation, on top of index name and id */
    private static final int PER_ITEM_OVERHEAD = 48;
    private static final long IDLE_POLL_MS = 1000;
    /** Longest wait between two attempts to persist a checkpoint that failed: a 16-byte write, cheap to try. */
    static final Duration CHECKPOINT_RETRY_CAP = Duration.ofSeconds(5);
    private static final long CHECKPOINT_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final String STAGE = "indexer";

    private final Spool spool;
    private final BulkTransport transport;
    private final BisectingSend bisecting;
    private final ReadIdConflicts conflicts;
    private final DeadLetterStore deadLetters;
    private final String prefix;
    private final DailyIndexNames indexNames;
    private final IndexerConfig config;
    private final RetryPolicy retry;
    private final RetryPolicy checkpointRetry;
    private final IndexerMetrics metrics;
    private final Clock clock;
    private final int retentionDays;
    private final RecordedDays recordedDays;
    private final ScheduledThreadPoolExecutor loop;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    // --- state below is touched only on the loop thread ---
    private long readCursor;
    private final ArrayDeque<SpoolRecord> lookahead = new ArrayDeque<>();
    private Batch forming = new Batch();
    private ScheduledFuture<?> flushTimer;
    private final ArrayDeque<Batch> unfinished = new ArrayDeque<>();
    private int inFlight;
    private boolean started;
    private boolean stopping;
    private int pumpFailures;
    /** Done up to here (contiguous), not yet confirmed by the spool (persisted, segments deleted); 0: nothing owed. */
    private long checkpointOwed;
    private int checkpointFailures;
    private long checkpointFailingSinceNanos;
    private long checkpointLoggedNanos;
    private ScheduledFuture<?> checkpointTimer;

    // --- published for gauges and tests ---
    private volatile long oldestPendingMs;
    private volatile int inFlightSeen;

    public Indexer(Spool spool, BulkTransport transport, DeadLetterStore deadLetters, String prefix,
                   IndexerConfig config, int retentionDays, RetryPolicy retry, MeterRegistry registry, Clock clock) {
        this(spool, transport, deadLetters, prefix, config, retentionDays, retry, registry, clock, DayRecorder.NONE);
    }

    /** @param days where the days that hold reads are recorded, once each day's first reads are indexed ({@link RecordedDays}) */
    public Indexer(Spool spool, BulkTransport transport, DeadLetterStore deadLetters, String prefix,
                   IndexerConfig config, int retentionDays, RetryPolicy retry, MeterRegistry registry, Clock clock,
                   DayRecorder days) {
        if (retentionDays < 1) throw new IllegalArgumentException("retentionDays must be >= 1");
        this.spool = spool;
        this.retentionDays = retentionDays;
        this.transport = transport;
        this.deadLetters = deadLetters;
        this.prefix = prefix;
        this.indexNames = new DailyIndexNames(prefix);
        this.config = config;
        this.retry = retry;
        Duration cap = retry.cap().compareTo(CHECKPOINT_RETRY_CAP) < 0 ? retry.cap() : CHECKPOINT_RETRY_CAP;
        this.checkpointRetry = new RetryPolicy(retry.initial(), cap.compareTo(retry.initial()) < 0 ? retry.initial() : cap, retry.jitter());
        this.metrics = new IndexerMetrics(registry);
        this.clock = clock;
        this.loop = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "indexer-" + prefix);
            t.setDaemon(true);
            return t;
        });
        this.loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.loop.setRemoveOnCancelPolicy(true);
        this.bisecting = new BisectingSend(this::timedSend, loop, metrics);
        this.conflicts = new ReadIdConflicts(transport);
        this.recordedDays = new RecordedDays(days, this::onLoop, clock, retentionDays);
        metrics.gauges(this::lagReads, this::lagSeconds, () -> inFlightSeen);
    }

    /** The production wiring: the async client of the shared connection, settings from the config, default backoff. */
    public static Indexer forElasticsearch(Spool spool, org.platewarden.elasticsearch.ElasticsearchConnection connection,
                                           DeadLetterStore deadLetters, org.platewarden.core.config.PlatewardenConfig config,
                                           MeterRegistry registry) {
        return new Indexer(spool, new ElasticsearchBulkTransport(connection.rest()), deadLetters, config.indexPrefix(),
                config.indexer(), config.retentionDays(), RetryPolicy.defaults(), registry, Clock.systemUTC(),
                new ElasticsearchDayRecorder(connection.rest(), config.indexPrefix()));
    }

    /** Starts tailing at the spool's checkpoint. Non-blocking; safe to call from an event loop. */
    public CompletableFuture<Void> start() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (started) {
                done.complete(null);
                return;
            }
            started = true;
            readCursor = spool.checkpoint();
            spool.onDurable(this::wake);
            loop.scheduleWithFixedDelay(this::pump, IDLE_POLL_MS, IDLE_POLL_MS, TimeUnit.MILLISECONDS);
            LOG.info("indexer for prefix {} starts after spool checkpoint {}", prefix, readCursor);
            pump();
            done.complete(null);
        });
        return done;
    }

    /**
     * Stops reading and sending. Unfinished batches are abandoned, not lost: the checkpoint has not
     * passed them, so the next start resends them (and Elasticsearch answers 409 for those already in).
     */
    public CompletableFuture<Void> stop() {
        try {
            loop.execute(() -> {
                // one last attempt, so the next start resends less; no retry is scheduled once stopping
                if (checkpointOwed > 0) tryAdvanceCheckpoint();
                stopping = true;
                if (flushTimer != null) flushTimer.cancel(false);
                if (checkpointTimer != null) checkpointTimer.cancel(false);
                loop.shutdown();
            });
        } catch (RejectedExecutionException alreadyStopping) {
            // a second stop: the first one completes the future
        }
        CompletableFuture.runAsync(() -> {
            try {
                loop.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.complete(null);
        }, r -> {
            Thread t = new Thread(r, "indexer-stop-" + prefix);
            t.setDaemon(true);
            t.start();
        });
        return stopped;
    }

    /** Durable reads not yet indexed or dead-lettered. */
    public long lagReads() {
        return Math.max(0, spool.lastDurableSeq() - spool.checkpoint());
    }

    /** Age in seconds of the oldest read this indexer holds and has not finished (0 when idle). */
    public double lagSeconds() {
        long oldest = oldestPendingMs;
        return oldest == 0 ? 0.0 : Math.max(0, clock.millis() - oldest) / 1000.0;
    }

    private void wake() {
        if (!wakePending.compareAndSet(false, true)) return;
        try {
            loop.execute(() -> {
                wakePending.set(false);
                pump();
            });
        } catch (RejectedExecutionException stoppedMeanwhile) {
            wakePending.set(false);
        }
    }

    /** Reads what the spool has, fills the forming batch, and sends batches while slots are free. */
    private void pump() {
        if (stopping || !started) return;
        try {
            while (true) {
                if (lookahead.isEmpty() && !forming.isFull(config)) {
                    List<SpoolRecord> records = spool.read(readCursor, config.bulkMaxReads() - forming.count());
                    if (records.isEmpty()) break;
                    lookahead.addAll(records);
                    readCursor = records.get(records.size() - 1).seq();
                }
                while (!lookahead.isEmpty()) {
                    SpoolRecord next = lookahead.peekFirst();
                    if (forming.count() > 0 && (forming.isFull(config) || forming.bytes + estimate(next) > config.bulkMaxBytes())) break;
                    lookahead.pollFirst();
                    add(next);
                }
                if (forming.isFull(config) || !lookahead.isEmpty()) {
                    if (inFlight >= config.maxInFlight()) return; // a finishing batch pumps again
                    dispatch();
                }
            }
            if (forming.count() > 0 && inFlight < config.maxInFlight()) {
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - forming.startedNanos);
                if (waited >= config.bulkMaxWaitMs()) {
                    dispatch();
                } else if (flushTimer == null) {
                    flushTimer = loop.schedule(() -> {
                        flushTimer = null;
                        pump();
                    }, config.bulkMaxWaitMs() - waited, TimeUnit.MILLISECONDS);
                }
            }
            pumpFailures = 0;
        } catch (RuntimeException e) {
            // a spool read failed (disk error): nothing is lost, try again later
            pumpFailures++;
            LOG.error("indexer cannot read the spool after seq {}: {}", readCursor, e.toString(), e);
            if (!stopping) loop.schedule(this::pump, retry.delayMillis(pumpFailures), TimeUnit.MILLISECONDS);
        } finally {
            publish();
        }
    }

    private long estimate(SpoolRecord r) {
        return r.json().length + ElasticsearchBulkTransport.PLATE_TERMS_ESTIMATE + PER_ITEM_OVERHEAD + prefix.length() + 64L;
    }

    private void add(SpoolRecord record) {
        long now = clock.millis();
        if (forming.count() == 0) forming.startedNanos = System.nanoTime();
        forming.bytes += estimate(record);
        forming.lastSeq = record.seq();
        if (forming.firstSeq == 0) forming.firstSeq = record.seq();
        try {
            LocatedRead read = ReadLocator.locate(record.json());
            long since = read.receivedAt() != null ? read.receivedAt().toEpochMilli() : now;
            forming.toSend.add(new PendingRead(record.seq(), indexNames.name(read.capturedAt()), read.readId(),
                    read.cameraId(), read.capturedAt(), record.json(), read.termsStored() ? null : read.plateOcr(), read.singleLine(), since));
            forming.sinceMs = Math.min(forming.sinceMs, since);
        } catch (ReadLocator.NotARead e) {
            forming.toDeadLetter.add(DeadLetter.of(STAGE, null, null,
                    "not_a_read: spool record " + record.seq() + ": " + e.getMessage(), record.json()));
            forming.sinceMs = Math.min(forming.sinceMs, now);
        }
    }

    private void dispatch() {
        if (flushTimer != null) {
            flushTimer.cancel(false);
            flushTimer = null;
        }
        Batch batch = forming;
        forming = new Batch();
        unfinished.addLast(batch);
        inFlight++;
        batch.firstSentNanos = System.nanoTime();
        round(batch);
    }

    /**
     * One attempt: send what is still to send (then look up what is stored under the ids answered 409)
     * and write what is still to dead-letter, concurrently.
     */
    private void round(Batch batch) {
        if (stopping) return;
        expire(batch);
        List<PendingRead> sending = List.copyOf(batch.toSend);
        List<DeadLetter> writing = List.copyOf(batch.toDeadLetter);
        CompletableFuture<BisectingSend.Answers> sent = sending.isEmpty()
                ? CompletableFuture.completedFuture(BisectingSend.Answers.NONE) : bisecting.send(sending, batch.firstSentNanos);
        // neither future fails: a failed bulk or lookup is in its answer
        CompletableFuture<ReadIdConflicts.Lookup> looked = sent.thenCompose(s -> conflicts.lookUp(sending, s.items()));
        CompletableFuture<Void> written = writing.isEmpty()
                ? CompletableFuture.completedFuture(null) : deadLetters.appendAll(writing);
        CompletableFuture<Outcome<Void>> writtenOutcome = written.handle(Outcome::new);
        // sent is complete once looked is: join does not wait
        looked.thenAcceptBoth(writtenOutcome, (l, w) -> onLoop(() -> afterRound(batch, sending, sent.join(), l, writing, w)));
    }

    /** One bulk request (a batch's, or a half of it), timed. */
    private CompletableFuture<List<BulkItemResult>> timedSend(List<PendingRead> reads) {
        long t0 = System.nanoTime();
        CompletableFuture<List<BulkItemResult>> sent;
        try {
            sent = transport.send(reads);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.whenComplete((r, e) -> metrics.bulkLatency(System.nanoTime() - t0, e == null));
    }

    private void afterRound(Batch batch, List<PendingRead> sending, BisectingSend.Answers sent, ReadIdConflicts.Lookup looked,
                            List<DeadLetter> writing, Outcome<Void> written) {
        if (stopping) return;
        boolean wait = false;
        if (!writing.isEmpty()) {
            if (written.error == null) {
                batch.toDeadLetter.subList(0, writing.size()).clear();
                metrics.deadLettered(writing.size());
                DeadLetter first = writing.get(0);
                // the code and camera only: a reason may quote plates (a read_id conflict names both reads'),
                // and logs are kept by journald or files under their own retention, not the 21 days
                LOG.warn("indexer dead-lettered {} read(s), first: {} (camera {}); the reasons and reads are in the dead-letter files",
                        writing.size(), first.code(), first.cameraId());
            } else {
                metrics.retry("deadletter_store", writing.size());
                LOG.error("dead-letter store refused {} entries ({}); will retry", writing.size(), written.error.toString());
                wait = true;
            }
        }
        int unanswered = sent.unanswered();
        if (unanswered > 0) {
            String cause = RequestFailures.cause(sent.failure());
            metrics.retry(cause, unanswered);
            if (batch.attempt == 0 || batch.attempt % 10 == 0) {
                LOG.warn("bulk of {} reads (seq {}..{}) failed as a whole ({}: {}); retrying {} with backoff",
                        sending.size(), batch.firstSeq, batch.lastSeq, cause, RequestFailures.unwrap(sent.failure()).toString(),
                        unanswered == sending.size() ? "it" : "the " + unanswered + " reads left unanswered");
            }
        }
        if (looked.failure() != null) {
            metrics.retry("read_id_lookup", looked.looked());
            if (batch.attempt == 0 || batch.attempt % 10 == 0) {
                LOG.warn("cannot look up what is stored under the ids of {} read(s) answered 409 (seq {}..{}): {}; "
                        + "sending them again with backoff", looked.looked(), batch.firstSeq, batch.lastSeq, looked.failure().toString());
            }
        }
        if (!sending.isEmpty()) wait |= classify(batch, sending, sent.items(), looked);
        if (batch.toSend.isEmpty() && batch.toDeadLetter.isEmpty()) {
            finish(batch);
        } else if (!wait) {
            round(batch); // only fresh dead letters to write: no reason to wait
        } else {
            batch.attempt++;
            loop.schedule(() -> round(batch), retry.delayMillis(batch.attempt), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Applies per-item verdicts (null: the request failed), a 409 according to what is stored under
     * the id; returns true when some items must be sent again.
     */
    private boolean classify(Batch batch, List<PendingRead> sending, List<BulkItemResult> results, ReadIdConflicts.Lookup looked) {
        List<PendingRead> again = new ArrayList<>();
        Set<LocalDate> daysIndexed = new HashSet<>(2);
        int created = 0;
        int existing = 0;
        for (int i = 0; i < sending.size(); i++) {
            PendingRead read = sending.get(i);
            BulkItemResult result = results.get(i);
            if (result == null) {
                again.add(read);
                continue;
            }
            switch (ItemVerdict.of(result)) {
                case INDEXED -> {
                    created++;
                    daysIndexed.add(DailyIndex.day(read.capturedAt()));
                }
                case ALREADY_INDEXED -> {
                    switch (looked.check(i, read)) {
                        case SAME_READ -> {
                            existing++;
                            daysIndexed.add(DailyIndex.day(read.capturedAt()));
                        }
                        case OTHER_READ -> readIdConflict(batch, read, looked.conflict(i, read));
                        case GONE -> {
                            again.add(read);
                            metrics.retry("read_id_gone", 1);
                            LOG.warn("a read (seq {}) answered 409 but {} holds nothing under its read_id now; sending it again", read.seq(), read.index());
                        }
                        // a 409 alone proves nothing; sending the create again (cheap) leads to a new lookup
                        case UNKNOWN -> again.add(read); // counted and logged in afterRound
                    }
                }
                case RETRY -> {
                    again.add(read);
                    metrics.retry(ItemVerdict.retryCause(result), 1);
                }
                case DEAD_LETTER -> batch.toDeadLetter.add(deadLetter(read, result.refusal()));
            }
        }
        metrics.indexed(created);
        metrics.alreadyIndexed(existing);
        recordedDays.indexed(daysIndexed);
        batch.toSend = again;
        return !again.isEmpty();
    }

    /** Another read holds this read's id: it cannot be indexed, so it is dead-lettered (not dropped: it was acknowledged). */
    private void readIdConflict(Batch batch, PendingRead read, String reason) {
        metrics.readIdConflict();
        batch.toDeadLetter.add(deadLetter(read, reason));
    }

    /**
     * The reads still to send whose day has passed retention since they were spooled become dead
     * letters without their plate instead ({@code too_old}, as the gateway refuses such a read).
     */
    private void expire(Batch batch) {
        Instant now = clock.instant();
        long oldestEpochDay = DailyIndex.epochDay(now) - retentionDays + 1;
        batch.toSend.removeIf(read -> {
            if (DailyIndex.epochDay(read.capturedAt()) >= oldestEpochDay) return false;
            LocalDate day = DailyIndex.day(read.capturedAt());
            batch.toDeadLetter.add(pastRetention(read, Rejection.TOO_OLD + ": captured_at " + read.capturedAt() + ": its UTC day " + day
                    + " passed the " + retentionDays + "-day retention at " + DailyIndex.expiresAt(day, retentionDays)
                    + " before the read could be indexed (spool seq " + read.seq() + "); not indexed"));
            return true;
        });
    }

    /** A read's dead letter: its bytes and capture time, or without them once its day is past retention. */
    private DeadLetter deadLetter(PendingRead read, String reason) {
        if (DailyIndex.isExpired(DailyIndex.day(read.capturedAt()), retentionDays, clock.instant())) return pastRetention(read, reason);
        return DeadLetter.of(STAGE, read.cameraId(), read.id(), reason, read.json()).withCapturedAt(read.capturedAt());
    }

    /** Without payload, and without the read id when it holds the plate (a derived one does). */
    private static DeadLetter pastRetention(PendingRead read, String reason) {
        ReadPlate plate = ReadPlate.ofSpooled(read.json());
        boolean idHoldsPlate = plate.equals(ReadPlate.NONE) || ReadInput.holdsPlate(read.id(), plate.plate()) || ReadInput.holdsPlate(read.id(), plate.norm());
        return DeadLetter.pastRetention(STAGE, read.cameraId(), idHoldsPlate ? null : read.id(), read.capturedAt(), reason);
    }

    private void finish(Batch batch) {
        batch.done = true;
        inFlight--;
        long upTo = 0;
        while (!unfinished.isEmpty() && unfinished.peekFirst().done) upTo = unfinished.pollFirst().lastSeq;
        if (upTo > 0) {
            checkpointOwed = upTo;
            // while a failed one waits for its retry, the timer tries (with the newest seq): no attempt per batch on a failing disk
            if (checkpointTimer == null) advanceCheckpoint();
        }
        pump();
    }

    /**
     * Asks the spool to persist the checkpoint owed and delete the segments behind it; on failure
     * tries again on a timer with backoff, not only when another batch finishes: after a full disk
     * nothing else may ever finish (the gateway refuses every read for want of the space those
     * segments hold), and a checkpoint never persisted would keep it so.
     */
    private void advanceCheckpoint() {
        checkpointTimer = null;
        if (stopping || checkpointOwed == 0 || tryAdvanceCheckpoint()) return;
        checkpointTimer = loop.schedule(this::advanceCheckpoint, checkpointRetry.delayMillis(checkpointFailures), TimeUnit.MILLISECONDS);
    }

    /** One attempt; logs the first failure of an episode, then at most one a minute, and the recovery. */
    private boolean tryAdvanceCheckpoint() {
        long seq = checkpointOwed;
        try {
            spool.advanceCheckpoint(seq);
        } catch (RuntimeException e) {
            long now = System.nanoTime();
            metrics.checkpointFailed();
            if (checkpointFailures++ == 0) {
                checkpointFailingSinceNanos = now;
                checkpointLoggedNanos = now;
                LOG.error("cannot advance the spool checkpoint to {}: {}; the reads up to it are indexed, but their spool segments keep"
                        + " their disk space until it is: retrying on its own, at most {} s apart", seq, describe(e),
                        CHECKPOINT_RETRY_CAP.toSeconds(), e);
            } else if (now - checkpointLoggedNanos >= CHECKPOINT_LOG_INTERVAL_NANOS) {
                checkpointLoggedNanos = now;
                LOG.error("still cannot advance the spool checkpoint to {} ({} attempts in {} s): {}", seq, checkpointFailures,
                        TimeUnit.NANOSECONDS.toSeconds(now - checkpointFailingSinceNanos), describe(e));
            }
            return false;
        }
        if (checkpointOwed == seq) checkpointOwed = 0;
        if (checkpointFailures > 0) {
            LOG.info("spool checkpoint advanced to {} after {} failed attempts in {} s; the segments behind it are deleted", seq,
                    checkpointFailures, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - checkpointFailingSinceNanos));
            checkpointFailures = 0;
        }
        return true;
    }

    private static String describe(Throwable e) {
        return e.getCause() == null ? e.toString() : e + " (" + e.getCause() + ")";
    }

    private void publish() {
        inFlightSeen = inFlight;
        long oldest = 0;
        if (!unfinished.isEmpty()) {
            oldest = Long.MAX_VALUE;
            for (Batch b : unfinished) oldest = Math.min(oldest, b.sinceMs);
        }
        if (forming.count() > 0) oldest = oldest == 0 ? forming.sinceMs : Math.min(oldest, forming.sinceMs);
        oldestPendingMs = oldest;
    }

    private void onLoop(Runnable task) {
        try {
            loop.execute(() -> {
                task.run();
                publish();
            });
        } catch (RejectedExecutionException stoppedMeanwhile) {
            // stopped: the checkpoint did not pass this batch, the next start resends it
        }
    }

    private record Outcome<T>(T value, Throwable error) {
    }

    /** Reads from one contiguous range of spool sequence numbers, and what is left to do for them. */
    private static final class Batch {
        long firstSeq;
        long lastSeq;
        long bytes;
        long startedNanos;
        /** when the batch's first request went out (see BisectingSend: what proves a lone refusal) */
        long firstSentNanos;
        long sinceMs = Long.MAX_VALUE;
        int attempt;
        boolean done;
        List<PendingRead> toSend = new ArrayList<>();
        final List<DeadLetter> toDeadLetter = new ArrayList<>();

        int count() {
            return toSend.size() + toDeadLetter.size();
        }

        boolean isFull(IndexerConfig config) {
            return count() >= config.bulkMaxReads() || bytes >= config.bulkMaxBytes();
        }
    }
}
