package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
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
 * so the index never silently lacks a record while the log is accepting.
 *
 * <p><b>Order of the steps.</b> A batch of several records is journaled first and indexed after:
 * were they indexed at once, a crash could leave a later one indexed and an earlier one nowhere, a
 * gap no restart could fill. A record written alone ({@code overlapSteps}, the default) is sent to
 * the index while its line is written and fsynced, so a lone search waits for the slower step, not
 * the two added up. No gap can follow from that: the next record is sealed only after this one's
 * journal write has returned, so a crash leaves at most this one record in the index and not in the
 * journal, and {@link #recover} continues from the index head and re-sends the journal's records
 * below it. If the journal write fails, the record may already be in the index, so its seq is spent
 * (the chain head moves past it; the backlog makes sure the index gets it) and the log journals
 * first again until a journal write succeeds: a broken disk costs one record indexed without its
 * journal line, not one per search.
 */
public final class ChainedAuditLog implements AuditLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChainedAuditLog.class);
    private static final int MAX_BATCH = 256;
    /** Journaled records re-sent at start-up whatever the index head; at least twice the in-flight bound. */
    static final int RESEND_WINDOW = 4096;
    private static final int RESEND_BULK = 500;
    private static final ContentType NDJSON = ContentType.create("application/x-ndjson", StandardCharsets.UTF_8);
    private static final String BULK_FILTER = "errors,items.*.status,items.*.error.type,items.*.error.reason";

    private final Vertx vertx;
    private final EsRest es;
    private final String index;
    private final String nodeId;
    private final AuditJournal journal;
    private final boolean overlapSteps;
    private final AuditWriteQueue<Pending> queue;
    private final AuditAdmission admission;
    private final ConcurrentSkipListMap<Long, ObjectNode> backlog = new ConcurrentSkipListMap<>();
    private final Timer writeTimer;
    private final Timer journalTimer;
    private final Timer indexTimer;
    private volatile boolean running = true;
    private Thread writer;
    // chain head: touched only by the writer thread
    private long headSeq;
    private String headHash = AuditDocument.GENESIS_HASH;
    // false after a journal write failed, until one succeeds: lone records are journaled first meanwhile
    private boolean journalWritable = true;

    /**
     * One queued entry. {@code journaled} completes with the record once its line is fsynced,
     * {@code indexed} once Elasticsearch has it (the index step starts at once for a lone record
     * whose steps overlap, else once the record is journaled). Both are completed on {@code context}.
     */
    private record Pending(AuditEntry entry, boolean anonymous, Context context, Promise<ObjectNode> journaled, Promise<Void> indexed) {
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

    private ChainedAuditLog(Vertx vertx, RestClient rest, String auditIndex, String nodeId, AuditJournal journal, boolean overlapSteps,
                            int capacity, MeterRegistry registry) {
        this.vertx = vertx;
        this.es = new EsRest(vertx, rest);
        this.index = auditIndex;
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
     * steps overlapped by {@code search.audit_overlap_steps}, queue of 1024 of which records of
     * requests without an authenticated caller may hold a quarter ({@link AuditAdmission}).
     */
    public static Future<ChainedAuditLog> open(Vertx vertx, PlatewardenConfig config, RestClient rest, MeterRegistry registry) {
        ChainedAuditLog log = new ChainedAuditLog(vertx, rest, config.auditIndex(), config.nodeId(),
                new AuditJournal(AuditJournal.pathFor(config.dataPath(), config.nodeId()), config.search().auditJournalPreallocateBytes()),
                config.search().auditOverlapSteps(), 1024, registry);
        return log.start();
    }

    /**
     * Recovers the chain head from the journal, reconciles it with the index (re-sends journaled
     * records the index lacks at its tail; adopts the index head if the journal is behind, e.g. a
     * replaced disk), then starts accepting. Blocking work runs on the writer thread.
     */
    public Future<ChainedAuditLog> start() {
        Context context = vertx.getOrCreateContext();
        Promise<ChainedAuditLog> started = Promise.promise();
        writer = new Thread(() -> {
            try {
                recover();
            } catch (Exception e) {
                running = false;
                context.runOnContext(v -> started.fail(new AuditUnavailableException("audit trail cannot start: " + e.getMessage(), false, e)));
                return;
            }
            context.runOnContext(v -> started.complete(this));
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

    @Override
    public Future<AuditRecord> record(AuditEntry entry) {
        long started = System.nanoTime();
        if (!running) return Future.failedFuture(new AuditUnavailableException("audit trail is closed", false, null));
        boolean anonymous = entry.anonymous();
        try {
            admission.admit(anonymous);
        } catch (AuditUnavailableException saturated) {
            return Future.failedFuture(saturated);
        }
        Future<Void> ready = backlog.isEmpty() ? Future.succeededFuture() : flushBacklog();
        return ready
                .compose(v -> enqueue(entry, anonymous))
                .compose(pending -> {
                    Future<ObjectNode> journaled = pending.journaled().future().onSuccess(doc -> stop(journalTimer, started));
                    Future<Void> indexed = pending.indexed().future();
                    // join, not all: the record is answered only when both steps are over, so an index
                    // call still running after a journal failure stays counted in flight
                    return Future.join(journaled, indexed).map(both -> AuditDocument.toRecord(journaled.result()));
                })
                .recover(e -> Future.failedFuture(e instanceof AuditUnavailableException ? e
                        : new AuditUnavailableException("audit write failed: " + e.getMessage(), false, e)))
                .andThen(ar -> {
                    admission.release(anonymous);
                    stop(writeTimer, started);
                });
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
            return failures;
        });
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
        Pending pending = new Pending(entry, anonymous, vertx.getOrCreateContext(), Promise.promise(), Promise.promise());
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
                        : Future.failedFuture(e));
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (running) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                writeBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            Pending failed = p;
            failed.fail(new AuditUnavailableException("audit trail closed", false, null), true);
        }
    }

    private void writeBatch(List<Pending> batch) {
        boolean overlap = overlapSteps && batch.size() == 1 && journalWritable;
        long seq = headSeq;
        String prev = headHash;
        List<ObjectNode> docs = new ArrayList<>(batch.size());
        List<String> lines = new ArrayList<>(batch.size());
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
            return;
        }
        if (overlap) {
            // from here the record may reach the index whatever the journal does: its seq is spent
            headSeq = seq;
            headHash = prev;
            Pending lone = batch.get(0);
            ObjectNode doc = docs.get(0);
            lone.context().runOnContext(v -> indexOrKeep(doc).onComplete(lone::indexedAs));
        }
        try {
            journal.append(lines);
        } catch (IOException | RuntimeException e) {
            LOG.error("audit journal {} append failed{}: {}", journal.file(),
                    overlap ? " (the record, seq " + seq + ", went to the index alone; lone records are journaled first until a write succeeds)" : "",
                    e.toString());
            journalWritable = false;
            AuditUnavailableException failure = new AuditUnavailableException("audit journal write failed: " + e.getMessage(), false, e);
            batch.forEach(p -> p.fail(failure, !overlap));
            return;
        }
        journalWritable = true;
        if (!overlap) {
            headSeq = seq;
            headHash = prev;
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
        ObjectNode last = journal.open();
        long journalSeq = last == null ? 0 : last.get(AuditDocument.SEQ).asLong();
        JsonNode indexHead = indexHead();
        long indexSeq = indexHead == null ? 0 : indexHead.path(AuditDocument.SEQ).asLong();
        if (journalSeq >= indexSeq) {
            if (last != null) {
                headSeq = journalSeq;
                headHash = last.get(AuditDocument.HASH).asText();
            }
        } else {
            // The journal is behind the index. By one record: a lone record's index call and journal
            // write overlap, and the node stopped between the two. By more: a lost or replaced disk.
            // Either way the chain continues from the index head.
            if (indexSeq == journalSeq + 1) {
                LOG.info("audit chain of node {}: the index holds seq {}, which the journal {} lacks (a lone record is indexed while"
                        + " it is journaled, and its journal write did not complete); continuing from the index", nodeId, indexSeq, journal.file());
            } else {
                LOG.warn("audit journal {} ends at seq {} but the index holds node {} up to seq {}: continuing from the index",
                        journal.file(), journalSeq, nodeId, indexSeq);
            }
            headSeq = indexSeq;
            headHash = indexHead.path(AuditDocument.HASH).asText();
        }
        // Records are indexed concurrently, so the index head says nothing about the records just
        // below it: a crash can leave a later record indexed and an earlier one, still in flight,
        // not (with a lone record's steps overlapped, even when the later one is not yet journaled).
        // Every record that can be unindexed lies within the journal's last RESEND_WINDOW (at most
        // `capacity` in flight, and a failed one's backlog is flushed before any further record is
        // journaled), so those are re-sent as well as everything past the index head.
        long resendAfter = Math.max(0, Math.min(indexSeq, journalSeq - RESEND_WINDOW));
        if (journalSeq > resendAfter) resendFromJournal(resendAfter, journalSeq - resendAfter);
        LOG.info("audit chain of node {} resumes after seq {} (journal {})", nodeId, headSeq, journal.file());
    }

    private JsonNode indexHead() throws IOException {
        String body = "{\"size\":1,\"query\":{\"term\":{\"node_id\":" + CanonicalJson.MAPPER.writeValueAsString(nodeId) + "}},"
                + "\"sort\":[{\"seq\":\"desc\"}],\"_source\":[\"seq\",\"hash\",\"audit_id\"]}";
        Request request = new Request("POST", "/" + index + "/_search");
        request.addParameter("ignore_unavailable", "true");
        request.setEntity(new NStringEntity(body, ContentType.APPLICATION_JSON));
        JsonNode response = CanonicalJson.MAPPER.readTree(es.client().performRequest(request).getEntity().getContent());
        JsonNode hits = response.path("hits").path("hits");
        return hits.isEmpty() ? null : hits.get(0).path("_source");
    }

    /**
     * Creates in the index every journaled record with a seq above {@code afterSeq} that it lacks,
     * reading only the journal's last {@code lines} lines (seqs are dense, so they hold them all),
     * in bulk requests of creates: Elasticsearch answers 409 for a record it already has, and
     * leaves it as it is.
     */
    private void resendFromJournal(long afterSeq, long lines) throws IOException {
        int sent = 0;
        int created = 0;
        List<ObjectNode> batch = new ArrayList<>(RESEND_BULK);
        try (AuditJournal.JournalReader reader = AuditJournal.readerOfLast(journal.file(), lines)) {
            for (ObjectNode doc; (doc = reader.next()) != null; ) {
                if (doc.path(AuditDocument.SEQ).asLong() <= afterSeq) continue;
                batch.add(doc);
                if (batch.size() == RESEND_BULK) {
                    created += createAll(batch);
                    sent += batch.size();
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            created += createAll(batch);
            sent += batch.size();
        }
        if (created > 0) {
            LOG.warn("audit chain of node {}: re-sent {} journaled records the index lacked (after seq {}; {} were there)",
                    nodeId, created, afterSeq, sent - created);
        }
    }

    /** Bulk-creates the records; returns how many were created (the rest were there: 409). */
    private int createAll(List<ObjectNode> docs) throws IOException {
        Request request = new Request("POST", "/" + index + "/_bulk");
        request.addParameter("filter_path", BULK_FILTER);
        request.setEntity(new NStringEntity(bulkCreateBody(docs), NDJSON));
        JsonNode response = CanonicalJson.MAPPER.readTree(es.client().performRequest(request).getEntity().getContent());
        int created = 0;
        JsonNode items = response.path("items");
        if (items.size() != docs.size()) {
            throw new IOException("re-sending audit records: Elasticsearch answered " + items.size() + " items for " + docs.size());
        }
        for (JsonNode item : items) {
            JsonNode op = item.path("create");
            int status = op.path("status").asInt();
            if (status == 201) created++;
            else if (status != 409) throw new IOException("re-sending audit records: create -> " + status + " " + op.path("error"));
        }
        return created;
    }

    @Override
    public void close() {
        running = false;
        if (writer != null) {
            try {
                writer.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            journal.close();
        } catch (IOException e) {
            LOG.warn("closing audit journal {}: {}", journal.file(), e.toString());
        }
    }
}
