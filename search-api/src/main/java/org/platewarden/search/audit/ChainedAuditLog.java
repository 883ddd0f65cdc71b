package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.config.SearchConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's hash-chained audit trail. Each node keeps its own chain ({@code node_id}, dense
 * {@code seq} from 1, {@code prev_hash} → {@code hash}); node ids must therefore be unique per
 * search-api process. A record is durable in two steps:
 * <ol>
 * <li>appended as one line to the local journal and fsynced, on this log's own writer thread
 * (bounded queue, authenticated callers' records first; group commit: one fsync per batch of queued entries);</li>
 * <li>indexed into {@code <prefix>-audit} with {@code _id = audit_id} and {@code op_type=create}
 * (no refresh: the index call returns once the record is in the translog, which is durable;
 * readers — reports, verify — refresh the audit index before they read). Records journaled
 * together go in one bulk request of creates per lane (authenticated, anonymous).</li>
 * </ol>
 * Only when both have succeeded does {@link #record} complete. If either fails the future fails,
 * and the caller fails closed. A record that may have missed the index is kept in a backlog and
 * re-sent (idempotently: same _id, create; 409 = already there) before any new record is accepted,
 * so the index never silently lacks a record while the log is accepting. A record whose write failed
 * after its seq was spent is thus in the trail all the same: the failure names it
 * ({@link AuditUnavailableException#recordedAs}), and the caller writes what became of the request
 * with {@link #recordOwed}.
 *
 * <p><b>Order of the steps.</b> A batch of several records is journaled first and indexed after:
 * were they indexed at once, a crash could leave a later one indexed and an earlier one nowhere, a
 * gap no restart could fill. A record written alone ({@code overlapSteps}, the default) is sent to
 * the index while its line is written and fsynced, so a lone search waits for the slower step, not
 * the two added up. No gap can follow from that: the next record is sealed only after this one's
 * journal write has returned, so a crash leaves at most this one record in the index and not in the
 * journal, and {@link #recover} continues from the index head and re-sends the journal's records
 * below it. If the journal write fails, the record may already be in the index, so its seq is spent
 * (the chain head moves past it; the backlog makes sure the index gets it), it is journaled with
 * the next records, ahead of them, so the journal has no gap, and the log journals first again
 * until a journal write succeeds: a broken disk costs one record indexed before its journal line,
 * not one per search.
 *
 * <p><b>Start-up repairs are on the record.</b> When {@link #recover} takes records from the index
 * into the journal, or re-creates journaled records the index lacks, it writes a record saying
 * which (user {@value #RECOVERY_USER}, action {@value #RECOVERY_ACTION}) and logs it as a warning:
 * a crash explains one record either way, but so would a record added to or deleted from the
 * index, and a repair that left no trace would hide that. So is the repair of an index deleted or
 * replaced while the node runs ({@link #checkIndexIdentity}).
 */
public final class ChainedAuditLog implements AuditLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChainedAuditLog.class);
    private static final int MAX_BATCH = 256;
    /** Journaled records re-sent at start-up whatever the index head; at least twice the in-flight bound. */
    static final int RESEND_WINDOW = 4096;
    private static final int RESEND_BULK = 500;
    /**
     * How often an idle writer tries again to write the records the trail owes ({@link #recordOwed})
     * that could not be written yet, or, with none, a journal whose last write failed ({@link #retryJournal}).
     */
    private static final long IDLE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often an idle writer looks whether its audit index was deleted or replaced ({@link #checkIndexIdentity}). */
    static final long INDEX_CHECK_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final ContentType NDJSON = ContentType.create("application/x-ndjson", StandardCharsets.UTF_8);
    private static final String BULK_FILTER = "errors,items.*.status,items.*.error.type,items.*.error.reason";
    /** Who the records of start-up's repairs are by: Platewarden itself, as a hold's automatic release is by platewarden:until-passed. */
    public static final String RECOVERY_USER = "platewarden:recovery";
    public static final String RECOVERY_ACTION = "audit_recovery";

    private final Vertx vertx;
    private final EsRest es;
    private final String index;
    private final String nodeId;
    private final AuditJournal journal;
    private final boolean overlapSteps;
    private final AuditWriteQueue<Pending> queue;
    private final AuditAdmission admission;
    private final ConcurrentSkipListMap<Long, ObjectNode> backlog = new ConcurrentSkipListMap<>();
    // whether the index's writes fail, for writeProblem(); and the retry of the backlog on its own
    private final AuditIndexWrites indexWrites;
    private final AtomicBoolean retryingIndex = new AtomicBoolean();
    private final AuditIndexIdentity indexIdentity;
    private long indexCheckNanos = INDEX_CHECK_NANOS;
    private long indexChecked;
    private volatile long indexRetryTimer = -1;
    private final Timer writeTimer;
    private final Timer journalTimer;
    private final Timer indexTimer;
    private volatile boolean running = true;
    private Thread writer;
    // chain head: touched only by the writer thread
    private long headSeq;
    private String headHash = AuditDocument.GENESIS_HASH;
    // the same head for readers on other threads (the transparency report): the last record whose seq is
    // spent, which the index may hold before the journal does (a lone record's steps overlap) ...
    private volatile ChainHead spentHead;
    // ... and the last record whose journal line is fsynced: what the journal holds durably
    private volatile ChainHead journaledHead;
    // set when a journal write failed, until one succeeds: lone records are journaled first meanwhile.
    // Written by the writer thread only; read by writeProblem() on any thread
    private volatile JournalFailure journalFailure;
    // how many records owed the writer keeps to write again (owedRetry's size), for writeProblem()
    private volatile int owedWaiting;
    // System.nanoTime() when the journal write under way began; 0 when none is: for writeProblem()
    private volatile long journalWriteStarted;
    // a lone record whose journal write failed after it went to the index: journaled with the next records
    private ObjectNode unjournaled;
    // records the trail owes (recordOwed) whose write failed before they had a seq: ahead of the next batch
    private final List<Pending> owedRetry = new ArrayList<>();
    private long retried;

    /** The journal's writes have failed since {@code since}; the last one with {@code error}. */
    private record JournalFailure(Instant since, String error) {
    }

    /**
     * One queued entry. {@code journaled} completes with the record once its line is fsynced,
     * {@code indexed} once Elasticsearch has it (the index step starts at once for a lone record
     * whose steps overlap, else once the record is journaled). Both are completed on {@code context}.
     * {@code spentAs} is set to the record's audit id once its seq is spent — from then on it is in
     * the journal or the index and will be in both, whatever its steps answer. {@code owed}: a record
     * the trail owes ({@link #recordOwed}), written again until its seq is spent.
     */
    private record Pending(AuditEntry entry, boolean anonymous, Context context, Promise<ObjectNode> journaled, Promise<Void> indexed,
                           boolean owed, AtomicReference<String> spentAs) {
        Pending(AuditEntry entry, boolean anonymous, Context context, boolean owed) {
            this(entry, anonymous, context, Promise.promise(), Promise.promise(), owed, new AtomicReference<>());
        }

        /** The same entry for another attempt (nobody waits for it: the first attempt was answered). */
        Pending again() {
            return new Pending(entry, anonymous, context, owed);
        }

        void journal(ObjectNode doc) {
            context.runOnContext(v -> journaled.complete(doc));
        }

        void indexedAs(io.vertx.core.AsyncResult<Void> result) {
            context.runOnContext(v -> indexed.handle(result));
        }

        void fail(Throwable failure, boolean alsoIndexStep) {
            context.runOnContext(v -> {
                if (alsoIndexStep) indexed.fail(failure);
                journaled.fail(failure);
            });
        }
    }

    public ChainedAuditLog(Vertx vertx, RestClient rest, String auditIndex, String nodeId, Path journalFile, int capacity, MeterRegistry registry) {
        this(vertx, rest, auditIndex, nodeId, new AuditJournal(journalFile), SearchConfig.DEFAULT_AUDIT_OVERLAP_STEPS, capacity, registry);
    }

    public ChainedAuditLog(Vertx vertx, RestClient rest, String auditIndex, String nodeId, Path journalFile, boolean overlapSteps,
                           int capacity, MeterRegistry registry) {
        this(vertx, rest, auditIndex, nodeId, new AuditJournal(journalFile), overlapSteps, capacity, registry);
    }

    /** On a journal of the caller's: tests give it one whose writes fail when they say. */
    ChainedAuditLog(Vertx vertx, RestClient rest, String auditIndex, String nodeId, AuditJournal journal, boolean overlapSteps,
                    int capacity, MeterRegistry registry) {
        this(vertx, rest, auditIndex, nodeId, journal, overlapSteps, SearchConfig.DEFAULT_AUDIT_INDEX_TIMEOUT_MS, capacity, registry);
    }

    /**
     * @param indexTimeoutMillis how long a record's write to the index may wait for Elasticsearch
     *                           ({@code search.audit_index_timeout_ms}); one that waited longer failed,
     *                           though the record may have reached the index: it is kept and re-sent
     *                           like any record whose index write failed
     */
    ChainedAuditLog(Vertx vertx, RestClient rest, String auditIndex, String nodeId, AuditJournal journal, boolean overlapSteps,
                    int indexTimeoutMillis, int capacity, MeterRegistry registry) {
        this.vertx = vertx;
        this.es = new EsRest(vertx, rest).withTimeout(indexTimeoutMillis);
        this.index = auditIndex;
        this.indexWrites = new AuditIndexWrites(auditIndex);
        this.indexIdentity = new AuditIndexIdentity(rest, auditIndex);
        this.nodeId = nodeId;
        this.journal = journal;
        this.overlapSteps = overlapSteps;
        if (capacity < 1 || capacity > RESEND_WINDOW / 2) {
            throw new IllegalArgumentException("audit capacity must be 1.." + RESEND_WINDOW / 2 + " (re-sent at start-up), not " + capacity);
        }
        this.queue = new AuditWriteQueue<>(capacity);
        this.admission = new AuditAdmission(capacity, registry);
        this.writeTimer = registry == null ? null : Timer.builder("platewarden_audit_write")
                .description("time from an audit request to the record being journaled and indexed")
                .publishPercentileHistogram().register(registry);
        // the two durable steps apart: a slow audit write is either the local disk's fsync (and the
        // writer's queue) or Elasticsearch's indexing with its translog fsync, and ops fix those differently
        this.journalTimer = registry == null ? null : Timer.builder("platewarden_audit_journal")
                .description("time from an audit request to its record being appended to the local journal and fsynced")
                .publishPercentileHistogram().register(registry);
        this.indexTimer = registry == null ? null : Timer.builder("platewarden_audit_index")
                .description("time to index an audit record into Elasticsearch (op_type=create; records journaled together: their bulk request's time, once per record); a lone record's runs while it is journaled")
                .publishPercentileHistogram().register(registry);
    }

    /**
     * The log of this node as configured: journal under {@code data_dir} (preallocated by
     * {@code search.audit_journal_preallocate_bytes}), index {@code <prefix>-audit}, a lone record's
     * steps overlapped by {@code search.audit_overlap_steps}, index writes bounded by
     * {@code search.audit_index_timeout_ms}, queue of 1024 of which records of requests without an
     * authenticated caller may hold a quarter ({@link AuditAdmission}).
     */
    public static Future<ChainedAuditLog> open(Vertx vertx, PlatewardenConfig config, RestClient rest, MeterRegistry registry) {
        return open(vertx, config, rest, registry,
                new AuditJournal(AuditJournal.pathFor(config.dataPath(), config.nodeId()), config.search().auditJournalPreallocateBytes()));
    }

    /** As configured, on a journal of the caller's (tests give one that fails when they say). */
    static Future<ChainedAuditLog> open(Vertx vertx, PlatewardenConfig config, RestClient rest, MeterRegistry registry, AuditJournal journal) {
        ChainedAuditLog log = new ChainedAuditLog(vertx, rest, config.auditIndex(), config.nodeId(), journal,
                config.search().auditOverlapSteps(), config.search().auditIndexTimeoutMs(), 1024, registry);
        return log.start();
    }

    /**
     * Recovers the chain head from the journal, reconciles it with the index (takes the index's
     * records past the journal's last that continue its chain into the journal, e.g. after a crash or a replaced disk;
     * re-sends journaled records the index lacks at its tail; records either repair), then starts
     * accepting. Blocking work runs on the writer thread.
     */
    public Future<ChainedAuditLog> start() {
        Context context = vertx.getOrCreateContext();
        Promise<ChainedAuditLog> started = Promise.promise();
        writer = new Thread(() -> {
            try {
                recover();
            } catch (Exception e) {
                running = false;
                closeJournal(); // and its lock: a start that failed leaves the journal to the next one
                context.runOnContext(v -> started.fail(new AuditUnavailableException("audit trail cannot start: " + e.getMessage(), false, e)));
                return;
            }
            context.runOnContext(v -> {
                if (running) indexRetryTimer = vertx.setPeriodic(TimeUnit.NANOSECONDS.toMillis(IDLE_RETRY_NANOS), id -> retryIndex());
                started.complete(this);
            });
            writeLoop();
        }, "audit-writer-" + nodeId);
        writer.setDaemon(true);
        writer.start();
        return started.future();
    }

    public String nodeId() {
        return nodeId;
    }

    public Path journalFile() {
        return journal.file();
    }

    public String auditIndex() {
        return index;
    }

    /** Moves the chain head to a record whose seq is now spent (writer thread, or start-up before it). */
    private void spent(JsonNode doc) {
        headSeq = doc.path(AuditDocument.SEQ).asLong();
        headHash = doc.path(AuditDocument.HASH).asText();
        spentHead = ChainHead.of(doc);
    }

    /** A record whose journal line (and every line before it) is fsynced. */
    private void journaled(JsonNode doc) {
        journaledHead = ChainHead.of(doc);
    }

    /**
     * This node's chain head as its journal holds it durably: the last record whose line is
     * fsynced, null before the first. Never a record whose journal write is under way or failed
     * (a lone record may be in the index by then): what the node publishes as its own anchor.
     */
    @Override
    public ChainHead journaledHead() {
        return journaledHead;
    }

    @Override
    public boolean mayBeOwnHead(ChainHead indexHead) {
        // the last record spent is read first: a later one is spent only once this one's journal
        // write returned, so were it spent since, the journaled head read after has caught up
        ChainHead spent = spentHead;
        ChainHead journaled = journaledHead;
        if (journaled != null && indexHead.seq() < journaled.seq()) return true;
        if (journaled != null && indexHead.seq() == journaled.seq()) return indexHead.hash().equals(journaled.hash());
        return spent != null && spent.seq() == indexHead.seq() && spent.hash().equals(indexHead.hash());
    }

    @Override
    public Future<AuditRecord> record(AuditEntry entry) {
        long started = System.nanoTime();
        if (!running) return Future.failedFuture(new AuditUnavailableException("audit trail is closed", false, null));
        // a summary of requests without a caller is Platewarden's own record, bounded by the budget
        // and written a few at a time (AnonymousSummaries): the anonymous share, which a flood fills
        // at the very start of each window, would refuse it just when it is written
        boolean anonymous = entry.anonymous() && !AnonymousBudget.SUMMARY_ACTION.equals(entry.action());
        try {
            admission.admit(anonymous);
        } catch (AuditUnavailableException saturated) {
            return Future.failedFuture(saturated);
        }
        Future<Void> ready = backlog.isEmpty() ? Future.succeededFuture() : flushBacklog();
        AtomicReference<Pending> queued = new AtomicReference<>();
        return ready
                .compose(v -> enqueue(entry, anonymous))
                .compose(pending -> {
                    queued.set(pending);
                    Future<ObjectNode> journaled = pending.journaled().future().onSuccess(doc -> stop(journalTimer, started));
                    Future<Void> indexed = pending.indexed().future();
                    // join, not all: the record is answered only when both steps are over, so an index
                    // call still running after a journal failure stays counted in flight
                    return Future.join(journaled, indexed).map(both -> AuditDocument.toRecord(journaled.result()));
                })
                .recover(e -> Future.failedFuture(unavailable(e, queued.get())))
                .andThen(ar -> {
                    admission.release(anonymous);
                    stop(writeTimer, started);
                });
    }

    /**
     * How long a journal write (a write and its fsync: 8–13 ms for the slowest 5 % of the benchmark's
     * searches, queue included) may take before {@link #writeProblem} calls the disk hung.
     */
    static final long STUCK_WRITE_MILLIS = 5_000;

    /**
     * Why this log refuses records now, or cannot write them, as far as it knows without writing: it
     * is closed; its journal's writes have failed since a time named (until one succeeds — a request's
     * record, or the writer's own try each second while idle); the journal write under way has not
     * returned for {@link #STUCK_WRITE_MILLIS} or more; the index's writes have failed since a time
     * named (until one succeeds — a record's, or the re-sending of those it lacks each second,
     * {@link #retryIndex}); or records it owes are not written yet. Null when none of those holds.
     * Cheap: for a readiness probe.
     */
    @Override
    public String writeProblem() {
        if (!running) return "the audit trail is closed";
        List<String> problems = new ArrayList<>(3);
        long started = journalWriteStarted;
        long waited = started == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (waited >= STUCK_WRITE_MILLIS) {
            problems.add("a write to the audit journal has not returned for " + waited + " ms (a disk that hangs, or a file system"
                    + " frozen with fsfreeze), so audited requests wait for it");
        }
        JournalFailure failing = journalFailure;
        if (failing != null) {
            problems.add("the audit journal has failed every write since " + failing.since() + " (the last: "
                    + failing.error() + "), so every audited request is answered 503; it is tried again with each record, and each"
                    + " second while idle");
        }
        String indexProblem = indexWrites.problem();
        if (indexProblem != null) problems.add(indexProblem);
        int owed = owedWaiting;
        if (owed > 0) {
            problems.add(owed + " audit record(s) the trail owes (what became of requests answered 503) are not written yet");
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /**
     * The failure of a record's write, naming the record ({@link AuditUnavailableException#recordedAs})
     * when its seq was spent: it is in the trail though the write failed.
     */
    private static AuditUnavailableException unavailable(Throwable e, Pending pending) {
        String recordedAs = pending == null ? null : pending.spentAs().get();
        if (e instanceof AuditUnavailableException u && (recordedAs == null || recordedAs.equals(u.recordedAs()))) return u;
        String message = e instanceof AuditUnavailableException ? e.getMessage() : "audit write failed: " + e.getMessage();
        boolean saturated = e instanceof AuditUnavailableException u && u.saturated();
        return new AuditUnavailableException(message, saturated, e, recordedAs);
    }

    /**
     * Writes a record the trail owes: what became of a request whose record is in the trail although
     * its write failed ({@link AuditUnavailableException#recordedAs}; e.g. a search answered 503).
     * Queued ahead of every other record and outside the capacity (it stands for a request already
     * counted), so it follows the record it is about in the chain. If its write fails before its seq
     * is spent (the journal refused it), the writer keeps it and writes it ahead of the next batch,
     * or on its own every second while idle, until its seq is spent; from then on the journal or the
     * index has it and the backlog and start-up see that both do, like any record's. So a record
     * owed is not lost while the process runs; one that never reached the journal is lost in a crash
     * (its original then reads as written, as any record whose answer a crash cut off).
     */
    @Override
    public Future<Void> recordOwed(AuditEntry entry) {
        if (!running) {
            LOG.error("audit trail closed: the record owed for {} ({}) is not written", entry.action(), entry.reason());
            return Future.failedFuture(new AuditUnavailableException("audit trail is closed", false, null));
        }
        Pending pending = new Pending(entry, entry.anonymous(), vertx.getOrCreateContext(), true);
        queue.offerOwed(pending);
        Future<ObjectNode> journaled = pending.journaled().future();
        return Future.join(journaled, pending.indexed().future()).<Void>mapEmpty()
                .recover(e -> pending.spentAs().get() != null ? Future.succeededFuture() : Future.failedFuture(unavailable(e, pending)));
    }

    /** Indexes the record; if that fails, keeps it in the backlog, to be re-sent before any new record. */
    private Future<Void> indexOrKeep(ObjectNode doc) {
        long indexing = System.nanoTime();
        return indexRecord(doc)
                .andThen(ar -> stop(indexTimer, indexing))
                .recover(e -> {
                    backlog.put(doc.get(AuditDocument.SEQ).asLong(), doc);
                    return Future.failedFuture(e);
                });
    }

    /**
     * Indexes records just journaled together: one request per lane, authenticated callers'
     * records apart from anonymous ones, so an investigator's record does not wait for a flood's.
     * A lane's lone record is one create, several are one bulk request of creates: a flood's
     * records were one create each, hundreds in flight at once, and every search queued behind them
     * for a connection to Elasticsearch.
     */
    private void indexJournaled(List<Pending> batch, List<ObjectNode> docs) {
        List<Integer> authenticated = new ArrayList<>();
        List<Integer> anonymous = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) (batch.get(i).anonymous() ? anonymous : authenticated).add(i);
        indexTogether(authenticated.stream().map(batch::get).toList(), authenticated.stream().map(docs::get).toList());
        indexTogether(anonymous.stream().map(batch::get).toList(), anonymous.stream().map(docs::get).toList());
    }

    /** One request for these records; each that fails is kept in the backlog, as a lone one is. */
    private void indexTogether(List<Pending> pending, List<ObjectNode> docs) {
        if (pending.isEmpty()) return;
        pending.get(0).context().runOnContext(v -> {
            if (pending.size() == 1) {
                indexOrKeep(docs.get(0)).onComplete(pending.get(0)::indexedAs);
                return;
            }
            long indexing = System.nanoTime();
            bulkCreate(docs).onComplete(ar -> {
                for (int i = 0; i < docs.size(); i++) {
                    Throwable failure = ar.failed() ? ar.cause() : ar.result().get(i);
                    if (failure != null) backlog.put(docs.get(i).get(AuditDocument.SEQ).asLong(), docs.get(i));
                    stop(indexTimer, indexing);
                    pending.get(i).indexedAs(failure == null ? Future.succeededFuture() : Future.failedFuture(failure));
                }
            });
        });
    }

    /** One bulk request of creates; completes with each record's failure, null where it is in the index (created, or there already: 409). */
    private Future<List<Throwable>> bulkCreate(List<ObjectNode> docs) {
        return es.call("POST", "/" + index + "/_bulk?filter_path=" + BULK_FILTER, bulkCreateBody(docs), NDJSON).map(response -> {
            JsonNode items = response.path("items");
            List<Throwable> failures = new ArrayList<>(docs.size());
            for (int i = 0; i < docs.size(); i++) {
                JsonNode op = items.path(i).path("create");
                int status = op.path("status").asInt();
                failures.add(status == 201 || status == 409 ? null
                        : new EsRest.EsException(status, "create of audit record seq " + docs.get(i).get(AuditDocument.SEQ).asLong(), op.path("error").toString()));
            }
            // a bulk with any record in the index says the index takes writes
            failures.stream().filter(Objects::nonNull).findFirst().ifPresent(indexWrites::failed);
            if (failures.contains(null)) indexWrites.succeeded();
            return failures;
        }).onFailure(indexWrites::failed);
    }

    /** {@code create} (with the record's audit id) + the record as hashed, per record. */
    private static String bulkCreateBody(List<ObjectNode> docs) {
        StringBuilder body = new StringBuilder();
        for (ObjectNode doc : docs) {
            body.append("{\"create\":{\"_id\":").append(CanonicalJson.write(doc.get(AuditDocument.AUDIT_ID)))
                    .append("}}\n").append(CanonicalJson.write(doc)).append('\n');
        }
        return body.toString();
    }

    private static void stop(Timer timer, long startedNanos) {
        if (timer != null) timer.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    private Future<Pending> enqueue(AuditEntry entry, boolean anonymous) {
        Pending pending = new Pending(entry, anonymous, vertx.getOrCreateContext(), false);
        if (!queue.offer(pending, anonymous)) {
            return Future.failedFuture(new AuditUnavailableException("audit journal queue full", true, null));
        }
        return Future.succeededFuture(pending);
    }

    private Future<Void> flushBacklog() {
        List<Future<?>> sends = new ArrayList<>();
        for (Map.Entry<Long, ObjectNode> e : backlog.entrySet()) {
            sends.add(indexRecord(e.getValue()).onSuccess(v -> backlog.remove(e.getKey(), e.getValue())));
        }
        return Future.all(sends).mapEmpty();
    }

    private Future<Void> indexRecord(ObjectNode doc) {
        String id = doc.get(AuditDocument.AUDIT_ID).asText();
        return es.call("PUT", "/" + index + "/_create/" + id, CanonicalJson.write(doc))
                .<Void>mapEmpty()
                .recover(e -> e instanceof EsRest.EsException ee && ee.status() == 409
                        ? Future.succeededFuture() // an earlier attempt got through: same id, same record
                        : Future.failedFuture(e))
                .onSuccess(v -> indexWrites.succeeded())
                .onFailure(indexWrites::failed);
    }

    /**
     * Each second (a Vert.x timer from start-up to close): re-sends the records the index lacks on its
     * own, without waiting for a record to do it — the oldest first, then, once the index took it,
     * the rest. Like the journal's idle retry, it is how the log, and the node's readiness
     * ({@link #writeProblem}), learn that an index that refused writes (a write block, a full disk)
     * takes them again although no request comes: a load balancer sends none to a node that is not
     * ready. One retry at a time; nothing to send, nothing is sent.
     */
    private void retryIndex() {
        Map.Entry<Long, ObjectNode> oldest = backlog.firstEntry();
        if (oldest == null || !running || !retryingIndex.compareAndSet(false, true)) return;
        Future.<Void>succeededFuture().compose(v -> indexRecord(oldest.getValue())) // a call that throws fails the future: the next tick tries again
                .onSuccess(v -> backlog.remove(oldest.getKey(), oldest.getValue()))
                .compose(v -> backlog.isEmpty() ? Future.<Void>succeededFuture() : flushBacklog())
                .onComplete(ar -> retryingIndex.set(false));
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (running) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                batch.clear();
                if (first == null) {
                    checkIndexIdentity();
                    // idle: the records owed that the journal refused are tried again on their own;
                    // with none, a journal whose last write failed is tried without a record
                    if (System.nanoTime() - retried < IDLE_RETRY_NANOS) continue;
                    if (owedRetry.isEmpty()) {
                        if (journalFailure != null) retryJournal();
                        continue;
                    }
                } else {
                    batch.add(first);
                }
                takeOwed(batch);
                queue.drainTo(batch, MAX_BATCH - batch.size());
                writeBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                owedWaiting = owedRetry.size();
            }
        }
        // closing: the records owed get a last attempt; the rest are refused
        batch.clear();
        takeOwed(batch);
        for (Pending p; (p = queue.poll()) != null; ) {
            Pending failed = p;
            if (failed.owed()) batch.add(failed);
            else failed.fail(new AuditUnavailableException("audit trail closed", false, null), true);
        }
        if (!batch.isEmpty()) writeBatch(batch);
        for (Pending lost : owedRetry) {
            LOG.error("audit trail closed before the record owed for {} could be journaled: not written ({})", lost.entry().action(), lost.entry().reason());
        }
        owedRetry.clear();
    }

    /**
     * Puts the records owed that are to be tried again first in the batch: the records they are
     * about have their seqs already, so any place after them is right, and first is soonest.
     */
    private void takeOwed(List<Pending> batch) {
        if (owedRetry.isEmpty()) return;
        batch.addAll(0, owedRetry);
        owedRetry.clear();
        retried = System.nanoTime();
    }

    /** A batch failed before its records' seqs were spent: the records owed in it are written again later. */
    private void keepOwed(List<Pending> batch) {
        for (Pending p : batch) if (p.owed()) owedRetry.add(p.again());
    }

    /**
     * Idle while the journal's last write failed and no record owed is waiting (that would be the
     * try): tries the journal without a new record, so that the log, and the node's readiness
     * ({@link #writeProblem}), learn that it takes writes again although no request comes — a load
     * balancer takes a node that is not ready out of rotation, and then none does. Journals the
     * record that went to the index before its journal line failed, when one waits ({@code unjournaled}),
     * else writes padding only ({@link AuditJournal#checkWritable}).
     */
    private void retryJournal() {
        retried = System.nanoTime();
        try {
            timed(() -> {
                if (unjournaled != null) journal.append(List.of(CanonicalJson.write(unjournaled)));
                else journal.checkWritable();
            });
        } catch (IOException | RuntimeException e) {
            LOG.debug("audit journal {} still fails: {}", journal.file(), e.toString());
            journalFailed(e);
            return;
        }
        if (unjournaled != null) journaled(unjournaled);
        journalWorks();
    }

    private interface JournalWrite {
        void run() throws IOException;
    }

    /** A write to the journal, with the time it started kept while it runs, for {@link #writeProblem}. */
    private void timed(JournalWrite write) throws IOException {
        journalWriteStarted = System.nanoTime();
        try {
            write.run();
        } finally {
            journalWriteStarted = 0;
        }
    }

    private void journalFailed(Throwable e) {
        JournalFailure failing = journalFailure;
        journalFailure = new JournalFailure(failing == null ? Instant.now() : failing.since(), String.valueOf(e.getMessage()));
    }

    /** A journal write succeeded: lone records overlap their steps again, and the record waiting for its journal line has it. */
    private void journalWorks() {
        JournalFailure failing = journalFailure;
        if (failing != null) LOG.info("audit journal {} takes writes again (they had failed since {})", journal.file(), failing.since());
        journalFailure = null;
        unjournaled = null;
    }

    private void writeBatch(List<Pending> batch) {
        boolean overlap = overlapSteps && batch.size() == 1 && journalFailure == null;
        long seq = headSeq;
        String prev = headHash;
        List<ObjectNode> docs = new ArrayList<>(batch.size());
        List<String> lines = new ArrayList<>(batch.size() + 1);
        // its seq is spent and the index may have it: the journal takes it before the records after it
        if (unjournaled != null) lines.add(CanonicalJson.write(unjournaled));
        try {
            for (Pending p : batch) {
                ObjectNode doc = AuditDocument.seal(p.entry(), p.entry().auditId() != null ? p.entry().auditId() : UUID.randomUUID().toString(), ++seq, Instant.now(), nodeId, prev);
                prev = doc.get(AuditDocument.HASH).asText();
                docs.add(doc);
                lines.add(CanonicalJson.write(doc));
            }
        } catch (RuntimeException e) {
            LOG.error("audit records for journal {} could not be sealed: {}", journal.file(), e.toString());
            batch.forEach(p -> p.fail(new AuditUnavailableException("audit record could not be sealed: " + e.getMessage(), false, e), true));
            // an owed record is tried again only if it can be sealed at all: one that cannot would fail every batch after it
            for (Pending p : batch) {
                if (!p.owed()) continue;
                try {
                    AuditDocument.seal(p.entry(), UUID.randomUUID().toString(), 1, Instant.now(), nodeId, AuditDocument.GENESIS_HASH);
                    owedRetry.add(p.again());
                } catch (RuntimeException unsealable) {
                    LOG.error("the record owed for {} cannot be sealed and is not written ({}): {}", p.entry().action(), p.entry().reason(), unsealable.toString());
                }
            }
            return;
        }
        if (overlap) {
            // from here the record may reach the index whatever the journal does: its seq is spent
            Pending lone = batch.get(0);
            ObjectNode doc = docs.get(0);
            spent(doc);
            lone.spentAs().set(doc.get(AuditDocument.AUDIT_ID).asText());
            lone.context().runOnContext(v -> indexOrKeep(doc).onComplete(lone::indexedAs));
        }
        try {
            timed(() -> journal.append(lines));
        } catch (IOException | RuntimeException e) {
            LOG.error("audit journal {} append failed{}: {}", journal.file(),
                    overlap ? " (the record, seq " + seq + ", went to the index alone; lone records are journaled first until a write succeeds)" : "",
                    e.toString());
            journalFailed(e);
            if (overlap) unjournaled = docs.get(0);
            AuditUnavailableException failure = new AuditUnavailableException("audit journal write failed: " + e.getMessage(), false, e);
            batch.forEach(p -> p.fail(failure, !overlap));
            if (!overlap) keepOwed(batch);
            return;
        }
        if (!docs.isEmpty()) journaled(docs.get(docs.size() - 1));
        journalWorks();
        if (!overlap) {
            spent(docs.get(docs.size() - 1));
            for (int i = 0; i < batch.size(); i++) batch.get(i).spentAs().set(docs.get(i).get(AuditDocument.AUDIT_ID).asText());
        }
        for (int i = 0; i < batch.size(); i++) batch.get(i).journal(docs.get(i));
        // after: the index step starts once the journal step is over
        if (!overlap) indexJournaled(batch, docs);
        // after answering: this batch's searches do not wait for the journal to grow; a later
        // append that finds no room grows it itself
        try {
            journal.preallocateAhead();
        } catch (IOException e) {
            LOG.warn("audit journal {}: preallocating ahead failed ({}); the next append will try again", journal.file(), e.toString());
        }
    }

    private void recover() throws IOException {
        // records are indexed without a refresh: durable in the translog, but a search sees them
        // only after the next refresh (1 s). A restart within that second would not see the index's
        // head, and the chain would go on from an older seq, giving two records one seq
        refreshIndex();
        ObjectNode last = journal.open();
        if (last != null && !nodeId.equals(last.path(AuditDocument.NODE_ID).asText())) {
            // the chain cannot go on from another node's record, nor is it this node's to re-send
            throw new IOException("audit journal " + journal.file() + " ends with a record of node " + last.path(AuditDocument.NODE_ID).asText()
                    + " (seq " + last.path(AuditDocument.SEQ).asLong() + "), not of node " + nodeId
                    + ": it is no record of this node's chain; inspect it (audit verify names it); it was left as it is");
        }
        long journalSeq = last == null ? 0 : last.get(AuditDocument.SEQ).asLong();
        if (last != null) {
            spent(last);
            journaled(last);
        }
        JsonNode indexHead = indexHead();
        long indexSeq = indexHead == null ? 0 : indexHead.path(AuditDocument.SEQ).asLong();
        // The journal is behind the index. By one record: a lone record's index call and journal
        // write overlap, and the node stopped between the two. By more: a lost or replaced disk.
        // Or someone added records to the index. The chain continues from the last of them that
        // continues the journal's chain (the index head, unless one of them does not link).
        SeqRanges taken = indexSeq > journalSeq ? journalFromIndex(journalSeq) : new SeqRanges();
        // Records are indexed concurrently, so the index head says nothing about the records just
        // below it: a crash can leave a later record indexed and an earlier one, still in flight,
        // not (with a lone record's steps overlapped, even when the later one is not yet journaled).
        // Every record that can be unindexed lies within the journal's last RESEND_WINDOW (at most
        // `capacity` in flight, and a failed one's backlog is flushed before any further record is
        // journaled), so those are re-sent as well as everything past the index head.
        long resendAfter = Math.max(0, Math.min(indexSeq, journalSeq - RESEND_WINDOW));
        // Below that window only a deletion from the index (an operator's, the whole index deleted
        // while the node ran and re-created by its next record) leaves a record missing. One count
        // finds it, and then the whole journal is re-sent: the creates the index already has are
        // 409s, the rest go on the record below, so nothing the journal holds stays missing.
        if (resendAfter > 0 && countUpTo(resendAfter) < resendAfter) {
            LOG.warn("audit chain of node {}: the index holds fewer than the {} records of seqs 1-{} (records deleted from it, or the"
                    + " whole index deleted while the node ran): every journaled record it lacks is re-created from the journal (journal {})",
                    nodeId, resendAfter, resendAfter, journal.file());
            resendAfter = 0;
        }
        SeqRanges resent = journalSeq > resendAfter ? resendFromJournal(resendAfter, journalSeq) : new SeqRanges();
        if (!taken.isEmpty()) {
            // a crash leaves at most one record journaled late; more is a journal put back from an
            // older backup, or a new one after a lost disk, and the record should say which could be
            recordRecovery(taken, "taken from the index into the journal at start-up: in the index but not in the journal: "
                    + (taken.count() == 1 ? "a lone record whose journal write a crash interrupted, a journal restored from an older backup,"
                    + " or a record added to the index" : "a journal restored from an older backup or lost with its disk,"
                    + " or records added to the index"));
        }
        if (!resent.isEmpty()) {
            recordRecovery(resent, "re-created in the index from the journal at start-up: in the journal but not in the index: records"
                    + " whose indexing a crash interrupted, an index restored from an older snapshot, or records (or the whole index)"
                    + " deleted from the index");
        }
        indexIdentity.remember(indexIdentity.current());
        indexChecked = System.nanoTime();
        LOG.info("audit chain of node {} resumes after seq {} (journal {})", nodeId, headSeq, journal.file());
    }

    /** Tests look more often than {@link #INDEX_CHECK_NANOS}; before {@link #start}. */
    ChainedAuditLog checkingIndexEvery(long nanos) {
        indexCheckNanos = nanos;
        return this;
    }

    /**
     * Idle, and at most every {@link #INDEX_CHECK_NANOS}: whether the audit index is still the one
     * the chain was written to. One deleted while the node runs (an operator's mistake) is created
     * again by the node's next record, from the template, holding that record alone; one restored
     * from a snapshot lacks the records written since. Nothing fails either way, so without this the
     * index would lack the chain's records until a restart. When the index is another, every
     * journaled record it lacks is re-created from the journal, on the record, as at start-up. Only
     * with no write of the trail failing or owed: those are repaired first, by their own retries.
     */
    private void checkIndexIdentity() {
        if (System.nanoTime() - indexChecked < indexCheckNanos) return;
        indexChecked = System.nanoTime();
        if (!backlog.isEmpty() || journalFailure != null || unjournaled != null || !owedRetry.isEmpty()) return;
        try {
            String now = indexIdentity.current();
            if (!indexIdentity.changedFrom(now)) return;
            String was = indexIdentity.known();
            SeqRanges resent = headSeq > 0 ? resendFromJournal(0, headSeq) : new SeqRanges();
            if (!resent.isEmpty()) {
                LOG.error("audit index {} is not the one the chain of node {} was written to (uuid when last looked at: {}; now: {}): deleted"
                        + " and created again, or restored from a snapshot; {} record(s) it lacked were re-created from the journal (journal {})",
                        index, nodeId, was == null ? "none, no such index" : was, now == null ? "none, no such index" : now, resent.count(),
                        journal.file());
                recordRecovery(resent, "re-created in the index from the journal while the node ran: the audit index was deleted and"
                        + " created again, or restored from an older snapshot");
            }
            indexIdentity.remember(indexIdentity.current());
        } catch (IOException | RuntimeException e) {
            // Elasticsearch not answering is logged where it matters (the records' writes); a
            // repair cut short is whole again next time, as the uuid seen is kept only after one
            LOG.debug("audit index {}: could not check whether it still holds the chain of node {} ({}); tried again in {} s", index, nodeId,
                    e.toString(), TimeUnit.NANOSECONDS.toSeconds(indexCheckNanos));
        }
    }

    /**
     * Appends to the journal, in order, the index's records of this node past {@code afterSeq}
     * (which the journal lacks) that continue the journal's chain ({@link ChainContinuation}: each
     * the next seq, its hash its content's, linked to the one before, the only record at its seq),
     * so that journal and index agree again and verify can check them against each other; moves the
     * chain head to the last. The first record that does not continue the chain stops the copy: it
     * and the records after it stay in the index only (verify reports them), a warning says which
     * and why, and the chain goes on from the last record copied. Returns the seqs copied.
     */
    private SeqRanges journalFromIndex(long afterSeq) throws IOException {
        SeqRanges taken = new SeqRanges();
        ChainContinuation chain = new ChainContinuation(nodeId, headSeq, headHash);
        JsonNode after = null;
        while (true) {
            ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
            body.put("size", RESEND_BULK);
            ArrayNode filter = body.putObject("query").putObject("bool").putArray("filter");
            filter.addObject().putObject("term").put(AuditDocument.NODE_ID, nodeId);
            filter.addObject().putObject("range").putObject(AuditDocument.SEQ).put("gt", afterSeq);
            ArrayNode sort = body.putArray("sort");
            sort.addObject().put(AuditDocument.SEQ, "asc");
            // a tiebreak, so that a second record at a seq is seen even where a page ends between the two
            sort.addObject().put(AuditDocument.AUDIT_ID, "asc");
            if (after != null) body.set("search_after", after);
            JsonNode hits = search(body).path("hits").path("hits");
            List<JsonNode> continuing = new ArrayList<>(hits.size());
            for (JsonNode hit : hits) {
                JsonNode doc = chain.offer(hit.path("_source"));
                if (doc != null) continuing.add(doc);
            }
            boolean last = chain.stopped() || hits.size() < RESEND_BULK;
            if (last) {
                JsonNode doc = chain.finish();
                if (doc != null) continuing.add(doc);
            }
            appendTaken(continuing, taken);
            if (last) break;
            after = hits.get(hits.size() - 1).path("sort");
        }
        if (chain.stopped()) {
            LOG.warn("audit chain of node {}: {} record(s) of this node in the index from seq {} on were not taken into the journal"
                            + " at start-up, because {}; they are left in the index as they are (audit verify reports them), and the chain"
                            + " goes on from seq {} (journal {})", nodeId, countFrom(chain.stoppedAtSeq()), chain.stoppedAtSeq(),
                    chain.stopReason(), chain.headSeq(), journal.file());
        }
        return taken;
    }

    /** Appends records that continue the chain to the journal, moving the head (and the durable head) to the last. */
    private void appendTaken(List<JsonNode> docs, SeqRanges taken) throws IOException {
        if (docs.isEmpty()) return;
        List<String> lines = new ArrayList<>(docs.size());
        for (JsonNode doc : docs) {
            lines.add(CanonicalJson.write(doc));
            taken.add(doc.path(AuditDocument.SEQ).asLong());
        }
        journal.append(lines);
        JsonNode head = docs.get(docs.size() - 1);
        spent(head);
        journaled(head);
    }

    /** How many records of this node the index holds up to {@code seq}. */
    private long countUpTo(long seq) throws IOException {
        return countSeqs("lte", seq);
    }

    /** How many records of this node the index holds from {@code seq} on. */
    private long countFrom(long seq) throws IOException {
        return countSeqs("gte", seq);
    }

    private long countSeqs(String bound, long seq) throws IOException {
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        body.put("size", 0);
        body.put("track_total_hits", true);
        ArrayNode filter = body.putObject("query").putObject("bool").putArray("filter");
        filter.addObject().putObject("term").put(AuditDocument.NODE_ID, nodeId);
        filter.addObject().putObject("range").putObject(AuditDocument.SEQ).put(bound, seq);
        return search(body).path("hits").path("total").path("value").asLong();
    }

    /**
     * Writes the record of a start-up repair (journaled, then indexed, before the log accepts
     * anything) and logs it as a warning. If indexing it fails, start-up fails, and the next start
     * re-sends it from the journal like any other record.
     */
    private void recordRecovery(SeqRanges seqs, String why) throws IOException {
        ObjectNode query = CanonicalJson.MAPPER.createObjectNode();
        query.put("seqs", seqs.ranges());
        String reason = seqs + " " + why;
        AuditEntry entry = new AuditEntry(RECOVERY_ACTION, RECOVERY_USER, null, Set.of(), null, null, query, null, "allowed", reason,
                200, (int) Math.min(Integer.MAX_VALUE, seqs.count()), List.of());
        ObjectNode doc = AuditDocument.seal(entry, UUID.randomUUID().toString(), headSeq + 1, Instant.now(), nodeId, headHash);
        journal.append(List.of(CanonicalJson.write(doc)));
        spent(doc);
        journaled(doc);
        createAll(List.of(doc), new SeqRanges());
        LOG.warn("audit chain of node {}: {} (journal {}); recorded as seq {}", nodeId, reason, journal.file(), headSeq);
    }

    private JsonNode indexHead() throws IOException {
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        body.put("size", 1);
        body.putObject("query").putObject("term").put(AuditDocument.NODE_ID, nodeId);
        body.putArray("sort").addObject().put(AuditDocument.SEQ, "desc");
        body.putArray("_source").add(AuditDocument.SEQ).add(AuditDocument.HASH).add(AuditDocument.AUDIT_ID);
        JsonNode hits = search(body).path("hits").path("hits");
        return hits.isEmpty() ? null : hits.get(0).path("_source");
    }

    private void refreshIndex() throws IOException {
        Request request = new Request("POST", "/" + index + "/_refresh");
        request.addParameter("ignore_unavailable", "true");
        es.client().performRequest(request);
    }

    private JsonNode search(ObjectNode body) throws IOException {
        Request request = new Request("POST", "/" + index + "/_search");
        request.addParameter("ignore_unavailable", "true");
        request.setEntity(new NStringEntity(CanonicalJson.write(body), ContentType.APPLICATION_JSON));
        return CanonicalJson.MAPPER.readTree(es.client().performRequest(request).getEntity().getContent());
    }

    /**
     * Creates in the index every journaled record with a seq in ({@code afterSeq}, {@code upToSeq}]
     * that it lacks, reading only the journal's last lines from there (seqs are dense, so they hold
     * them all), in bulk requests of creates: Elasticsearch answers 409 for a record it already has,
     * and leaves it as it is. Returns the seqs it created. A line that is not a record cannot be
     * re-sent, nor is a record of another node (added to the journal); verify names both.
     */
    private SeqRanges resendFromJournal(long afterSeq, long upToSeq) throws IOException {
        SeqRanges created = new SeqRanges();
        int unreadable = 0;
        int otherNodes = 0;
        List<ObjectNode> batch = new ArrayList<>(RESEND_BULK);
        try (AuditJournal.JournalReader reader = AuditJournal.readerOfLast(journal.file(), headSeq - afterSeq)) {
            for (AuditJournal.JournalReader.Line line; (line = reader.nextLine()) != null; ) {
                ObjectNode doc = line.record();
                if (doc == null) {
                    unreadable++;
                    continue;
                }
                long seq = doc.path(AuditDocument.SEQ).asLong();
                if (seq <= afterSeq || seq > upToSeq) continue;
                if (!nodeId.equals(doc.path(AuditDocument.NODE_ID).asText())) {
                    otherNodes++; // not this node's to re-create: it would add a record to another node's chain
                    continue;
                }
                batch.add(doc);
                if (batch.size() == RESEND_BULK) {
                    createAll(batch, created);
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) createAll(batch, created);
        if (unreadable > 0) {
            LOG.warn("audit journal {}: {} line(s) after seq {} are not records and were not re-sent to the index; audit verify names them",
                    journal.file(), unreadable, afterSeq);
        }
        if (otherNodes > 0) {
            LOG.warn("audit journal {}: {} record(s) after seq {} are of another node than {} and were not re-sent to the index;"
                    + " audit verify names them", journal.file(), otherNodes, afterSeq, nodeId);
        }
        return created;
    }

    /** Bulk-creates the records (in seq order); adds those created to {@code created} (the rest were there: 409). */
    private void createAll(List<ObjectNode> docs, SeqRanges created) throws IOException {
        Request request = new Request("POST", "/" + index + "/_bulk");
        request.addParameter("filter_path", BULK_FILTER);
        request.setEntity(new NStringEntity(bulkCreateBody(docs), NDJSON));
        JsonNode response = CanonicalJson.MAPPER.readTree(es.client().performRequest(request).getEntity().getContent());
        JsonNode items = response.path("items");
        if (items.size() != docs.size()) {
            throw new IOException("re-sending audit records: Elasticsearch answered " + items.size() + " items for " + docs.size());
        }
        for (int i = 0; i < docs.size(); i++) {
            JsonNode op = items.get(i).path("create");
            int status = op.path("status").asInt();
            if (status == 201) created.add(docs.get(i).path(AuditDocument.SEQ).asLong());
            else if (status != 409) throw new IOException("re-sending audit records: create -> " + status + " " + op.path("error"));
        }
    }

    @Override
    public void close() {
        running = false;
        if (indexRetryTimer >= 0) vertx.cancelTimer(indexRetryTimer);
        if (writer != null) {
            try {
                writer.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeJournal();
    }

    private void closeJournal() {
        try {
            journal.close();
        } catch (IOException e) {
            LOG.warn("closing audit journal {}: {}", journal.file(), e.toString());
        }
    }
}
