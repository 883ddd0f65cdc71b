package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.audit.AuditEsSupport.anonymousEntry;
import static org.platewarden.search.audit.AuditEsSupport.await;
import static org.platewarden.search.audit.AuditEsSupport.awaitFailure;
import static org.platewarden.search.audit.AuditEsSupport.call;
import static org.platewarden.search.audit.AuditEsSupport.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ChainedAuditLogIT {
    @RegisterExtension
    final AuditIndexExtension audit = new AuditIndexExtension("audit");
    private Vertx vertx;
    private RestClient rest;
    private String index;
    private final List<ChainedAuditLog> logs = new ArrayList<>();
    /** What the last {@link #restartLogged} logged. */
    private String startUpLog;
    @TempDir
    Path dataDir;

    @BeforeEach
    void setUp() {
        vertx = audit.vertx();
        rest = audit.rest();
        index = audit.index();
    }

    @AfterEach
    void tearDown() {
        logs.forEach(ChainedAuditLog::close);
    }

    /** The journal's records: its lines up to the preallocated padding (blank lines). */
    private List<String> journalLines() throws Exception {
        return Files.readAllLines(journal()).stream().takeWhile(line -> !line.isEmpty()).toList();
    }

    private Path journal() {
        return AuditJournal.pathFor(dataDir, "node-a");
    }

    /** Asserts that verify, with the journal, finds the chain whole and that many records in it. */
    private void assertVerifies(long records) throws Exception {
        VerifyResult result = verify(journal());
        assertTrue(result.ok(), result.toJson().toString());
        assertEquals(records, result.records());
    }

    /** The journal's record on line {@code number} (from 1). */
    private ObjectNode journalRecord(int number) throws Exception {
        return (ObjectNode) CanonicalJson.parse(journalLines().get(number - 1));
    }

    /** Asserts that the record is the start-up's own, naming the seqs it took over and why. */
    private static void assertRecoveryRecord(ObjectNode record, String seqs, String why) {
        assertEquals("platewarden:recovery", record.path("user").asText(), record.toString());
        assertEquals("audit_recovery", record.path("action").asText());
        assertEquals("allowed", record.path("outcome").asText());
        assertTrue(record.path("reason").asText().contains(seqs), record.path("reason").asText());
        assertTrue(record.path("reason").asText().contains(why), record.path("reason").asText());
    }

    private ChainedAuditLog open(RestClient client, Path journal, int capacity) {
        return open(client, journal, true, capacity);
    }

    private ChainedAuditLog open(RestClient client, Path journal, boolean overlapSteps, int capacity) {
        ChainedAuditLog log = new ChainedAuditLog(vertx, client, index, "node-a", journal, overlapSteps, capacity, new SimpleMeterRegistry());
        logs.add(log);
        return await(log.start());
    }

    private void recordAll(ChainedAuditLog log, int from, int to) {
        for (int i = from; i <= to; i++) await(log.record(entry(i)));
    }

    /** Records 1..n by a log that is then closed. */
    private void writtenAndClosed(int n) {
        ChainedAuditLog log = open(rest, journal(), 64);
        recordAll(log, 1, n);
        log.close();
    }

    /** A log started again on the journal; what its start-up logged is in {@link #startUpLog}. */
    private ChainedAuditLog restartLogged() {
        List<ChainedAuditLog> started = new ArrayList<>();
        startUpLog = AuditEsSupport.logOf(() -> started.add(open(rest, journal(), 64)));
        return started.get(0);
    }

    private VerifyResult verify(Path journal) throws Exception {
        return new AuditVerifier(rest, index, journal, "node-a", 2).verify();
    }

    @Test
    void recordsAreChainedJournaledIndexedAndVerify() throws Exception {
        ChainedAuditLog log = open(rest, journal(), 64);
        AuditRecord first = await(log.record(entry(1)));
        AuditRecord second = await(log.record(entry(2)));
        assertEquals(1, first.seq());
        assertEquals(AuditDocument.GENESIS_HASH, first.prevHash());
        assertEquals(2, second.seq());
        assertEquals(first.hash(), second.prevHash());
        assertEquals("node-a", second.nodeId());

        // durable in both places before the future completed: realtime GET, no refresh
        JsonNode stored = call(rest, "GET", "/" + index + "/_doc/" + second.auditId(), null).path("_source");
        assertEquals(second.hash(), stored.path("hash").asText());
        assertEquals(second.hash(), AuditDocument.hashOf(stored));
        List<String> lines = journalLines();
        assertEquals(2, lines.size());
        assertTrue(Files.size(journal()) >= AuditJournal.DEFAULT_PREALLOCATION, "preallocated ahead of its records");
        assertEquals(CanonicalJson.write(stored), lines.get(1));

        recordAll(log, 3, 7);
        VerifyResult result = verify(journal());
        assertTrue(result.ok(), result.toJson().toString());
        assertEquals(7, result.records());
        com.fasterxml.jackson.databind.node.ObjectNode json = result.toJson();
        // the chain's head, to be noted as an anchor: the node's last record
        assertEquals(7, json.path("heads").path(0).path("seq").asLong(), json.toString());
        assertEquals("node-a:7:" + json.path("heads").path(0).path("hash").asText(), json.path("heads").path(0).path("anchor").asText());
        json.remove("heads");
        assertEquals("{\"ok\":true,\"records\":7}", json.toString());
    }

    @Test
    void concurrentRecordsGetDenseSequenceNumbers() throws Exception {
        ChainedAuditLog log = open(rest, journal(), 512);
        List<Future<AuditRecord>> all = new ArrayList<>();
        vertx.runOnContext(v -> {
            for (int i = 1; i <= 200; i++) all.add(log.record(entry(i)));
        });
        while (all.size() < 200) Thread.sleep(5);
        List<Long> seqs = new ArrayList<>();
        for (Future<AuditRecord> f : all) seqs.add(await(f).seq());
        seqs.sort(null);
        for (int i = 0; i < 200; i++) assertEquals(i + 1, seqs.get(i));
        VerifyResult result = new AuditVerifier(rest, index, journal(), "node-a", 50).verify();
        assertTrue(result.ok(), result.toJson().toString());
        assertEquals(200, result.records());
    }

    @Test
    void editingOneRecordBreaksVerifyAtThatRecord() throws Exception {
        ChainedAuditLog log = open(rest, journal(), 64);
        recordAll(log, 1, 6);
        String third = AuditEsSupport.auditIdAt(rest, index, 3);
        call(rest, "POST", "/" + index + "/_update/" + third, "{\"doc\":{\"purpose\":\"personal\"}}");

        VerifyResult result = verify(journal());
        assertFalse(result.ok());
        assertEquals(new VerifyResult.Broken(third, 3, "node-a", VerifyResult.HASH_MISMATCH).withAgency("DPD"), result.firstBroken());
        assertEquals(2, result.records());
        assertEquals("hash mismatch", result.toJson().path("first_broken").path("problem").asText());
    }

    @Test
    void editWithARecomputedHashIsCaughtByTheJournalOrTheNextLink() throws Exception {
        ChainedAuditLog log = open(rest, journal(), 64);
        recordAll(log, 1, 5);
        String third = AuditEsSupport.auditIdAt(rest, index, 3);
        ObjectNode doc = (ObjectNode) call(rest, "GET", "/" + index + "/_doc/" + third, null).path("_source");
        doc.put("purpose", "personal");
        doc.put("hash", AuditDocument.hashOf(doc));
        call(rest, "PUT", "/" + index + "/_doc/" + third, CanonicalJson.write(doc));

        // with this node's journal: the record differs from the journaled one
        VerifyResult withJournal = verify(journal());
        assertEquals(new VerifyResult.Broken(third, 3, "node-a", VerifyResult.INDEX_DIFFERS, 3L).withAgency("DPD"), withJournal.firstBroken());
        assertEquals("index", withJournal.firstBroken().copy());
        // without it (another node, or the CLI): the following record no longer links to it
        VerifyResult indexOnly = verify(null);
        assertEquals(4, indexOnly.firstBroken().seq());
        assertEquals(VerifyResult.BROKEN_LINK, indexOnly.firstBroken().problem());
    }

    @Test
    void aSecondRecordAtASeqWhereAVerifyPageEndsIsStillFound() throws Exception {
        ChainedAuditLog log = open(rest, journal(), 64);
        recordAll(log, 1, 6);
        // a well-formed record added at seq 4, linked to seq 3 and hashed anew: verify reads pages of
        // 2, so the genuine seq 4 ends a page and the forged one (indexed after it, its id sorting
        // after it) would begin the next
        ObjectNode forged = (ObjectNode) call(rest, "GET", "/" + index + "/_doc/" + AuditEsSupport.auditIdAt(rest, index, 4), null).path("_source");
        String forgedId = "ffffffff-ffff-4fff-bfff-ffffffffffff";
        forged.put("audit_id", forgedId);
        forged.put("purpose", "personal");
        forged.put("hash", AuditDocument.hashOf(forged));
        call(rest, "PUT", "/" + index + "/_doc/" + forgedId + "?refresh=true", CanonicalJson.write(forged));

        assertEquals(new VerifyResult.Broken(forgedId, 4, "node-a", VerifyResult.BROKEN_LINK).withAgency("DPD"), verify(journal()).firstBroken());
        assertEquals(new VerifyResult.Broken(forgedId, 4, "node-a", VerifyResult.BROKEN_LINK).withAgency("DPD"), verify(null).firstBroken());
    }

    @Test
    void deletingOneRecordIsReportedAsAGapAtItsSeq() throws Exception {
        ChainedAuditLog log = open(rest, journal(), 64);
        recordAll(log, 1, 6);
        String fourth = AuditEsSupport.auditIdAt(rest, index, 4);
        call(rest, "DELETE", "/" + index + "/_doc/" + fourth, null);

        VerifyResult result = verify(journal());
        assertEquals(new VerifyResult.Broken(fourth, 4, "node-a", VerifyResult.MISSING).withAgency("DPD"), result.firstBroken());
        assertEquals(3, result.records());
        // from the index alone the gap is still found, without the id only the journal knows
        VerifyResult indexOnly = verify(null);
        assertEquals(new VerifyResult.Broken(null, 4, "node-a", VerifyResult.MISSING), indexOnly.firstBroken());
    }

    @Test
    void deletingTheLastRecordIsCaughtByTheJournal() throws Exception {
        ChainedAuditLog log = open(rest, journal(), 64);
        recordAll(log, 1, 3);
        String last = AuditEsSupport.auditIdAt(rest, index, 3);
        call(rest, "DELETE", "/" + index + "/_doc/" + last + "?refresh=true", null);
        assertEquals(new VerifyResult.Broken(last, 3, "node-a", VerifyResult.MISSING).withAgency("DPD"), verify(journal()).firstBroken());
    }

    @Test
    void restartResumesTheChainFromTheJournalAndCutsATornTail() throws Exception {
        ChainedAuditLog log = open(rest, journal(), 64);
        recordAll(log, 1, 3);
        log.close();
        // a crash mid-write leaves half a line that was never acknowledged, over the padding just after the records
        try (FileChannel channel = FileChannel.open(journal(), StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            long end = AuditJournal.contentEnd(channel, channel.size()) + 1;
            channel.write(ByteBuffer.wrap("{\"audit_id\":\"torn".getBytes(StandardCharsets.UTF_8)), end);
        }

        ChainedAuditLog again = open(rest, journal(), 64);
        AuditRecord fourth = await(again.record(entry(4)));
        assertEquals(4, fourth.seq());
        assertEquals(4, journalLines().size());
        try (var aside = Files.list(journal().getParent())) {
            List<Path> torn = aside.filter(f -> f.getFileName().toString().startsWith(journal().getFileName() + ".torn-")).toList();
            assertEquals(1, torn.size(), "the torn bytes are kept for inspection");
            assertEquals("{\"audit_id\":\"torn", Files.readString(torn.get(0)));
        }
        assertTrue(verify(journal()).ok());
    }

    @Test
    void restartCreatesARecordMissingBelowTheIndexHead() throws Exception {
        ChainedAuditLog log = open(rest, journal(), 64);
        recordAll(log, 1, 6);
        log.close();
        // records are indexed concurrently: a crash can leave 5 and 6 indexed and 4, still in
        // flight, not. The index head (6) equals the journal's, so nothing is past it to re-send.
        String fourth = AuditEsSupport.auditIdAt(rest, index, 4);
        call(rest, "DELETE", "/" + index + "/_doc/" + fourth + "?refresh=true", null);
        assertEquals(VerifyResult.MISSING, verify(journal()).firstBroken().problem());

        ChainedAuditLog restarted = open(rest, journal(), 64);
        assertVerifies(7);
        assertEquals(fourth, AuditEsSupport.auditIdAt(rest, index, 4), "the journaled record itself, under its own id");
        // the deletion leaves a trace: the restart recorded what it re-created
        assertRecoveryRecord(journalRecord(7), "seq 4 ", "in the journal but not in the index");
        assertEquals(1, journalRecord(7).path("hit_count").asInt());
        assertEquals(8, await(restarted.record(entry(8))).seq());
        assertEquals(8, journalLines().size());
    }

    @Test
    void restartReCreatesRecordsDeletedFromTheIndexBelowTheWindowItReSendsAfterACrash() throws Exception {
        // A chain longer than the window a crash can leave unindexed, written in concurrent bursts
        // (journaled together) to keep the test short.
        int records = ChainedAuditLog.RESEND_WINDOW + 104;
        ChainedAuditLog log = open(rest, journal(), 1024);
        for (int from = 1; from <= records; from += 1000) {
            List<Future<?>> burst = new ArrayList<>();
            for (int i = from; i < Math.min(records + 1, from + 1000); i++) burst.add(log.record(entry(i)));
            await(Future.all(burst));
        }
        log.close();
        // Deleted from the index below that window: an operator's delete_by_query, or the audit
        // index deleted while the node ran (its next record re-creates it, so the index head stays).
        // (this Elasticsearch has no _delete_by_query: the ids, then one bulk of deletes)
        call(rest, "POST", "/" + index + "/_refresh", null);
        StringBuilder deletes = new StringBuilder();
        for (JsonNode hit : call(rest, "POST", "/" + index + "/_search",
                "{\"size\":100,\"_source\":false,\"query\":{\"range\":{\"seq\":{\"lte\":50}}}}").path("hits").path("hits")) {
            deletes.append("{\"delete\":{\"_id\":\"").append(hit.path("_id").asText()).append("\"}}\n");
        }
        Request bulk = new Request("POST", "/" + index + "/_bulk?refresh=true");
        bulk.setEntity(new NStringEntity(deletes.toString(), ContentType.create("application/x-ndjson")));
        assertFalse(CanonicalJson.parse(EntityUtils.toString(rest.performRequest(bulk).getEntity())).path("errors").asBoolean());
        assertEquals(VerifyResult.MISSING, verify(journal()).firstBroken().problem());

        restartLogged();
        assertVerifies(records + 1);
        assertRecoveryRecord(journalRecord(records + 1), "seqs 1-50 (50 records)", "records (or the whole index) deleted from the index");
        assertTrue(startUpLog.contains("holds fewer than the 104 records of seqs 1-104"), startUpLog);
    }

    @Test
    void anAuditIndexDeletedWhileTheNodeRunsGetsTheChainBackFromTheJournalWithoutARestart() throws Exception {
        ChainedAuditLog log = new ChainedAuditLog(vertx, rest, index, "node-a", journal(), 64, new SimpleMeterRegistry())
                .checkingIndexEvery(TimeUnit.MILLISECONDS.toNanos(300));
        logs.add(log);
        await(log.start());
        recordAll(log, 1, 5);
        // an operator's mistake: the node's next record creates the index again, from the template,
        // holding that record alone, and nothing fails
        call(rest, "DELETE", "/" + index, null);
        await(log.record(entry(6)));

        waitFor(() -> verify(journal()).ok(), 30);
        assertVerifies(7);
        ObjectNode recovery = journalLines().stream().map(line -> (ObjectNode) CanonicalJson.parse(line))
                .filter(record -> "platewarden:recovery".equals(record.path("user").asText())).findFirst().orElseThrow();
        assertRecoveryRecord(recovery, "seqs 1-5 (5 records)", "the audit index was deleted and created again");
        // the chain goes on: the next record follows the recovery record
        assertEquals(8, await(log.record(entry(8))).seq());
    }

    @Test
    void recoveryOfSeveralRecordsTakenFromTheIndexNamesARestoredJournalNotACrash() throws Exception {
        writtenAndClosed(6);
        journalCutTo(3); // last night's backup of the journal put back: the index has 4-6 past it
        restartLogged();
        assertVerifies(7);
        assertRecoveryRecord(journalRecord(7), "seqs 4-6 (3 records)", "a journal restored from an older backup");
        assertFalse(journalRecord(7).path("reason").asText().contains("a lone record"), journalRecord(7).toString());
    }

    @Test
    void restartAfterALoneRecordsStepsWereCutShortContinuesFromTheIndexAndFillsItFromTheJournal() throws Exception {
        ChainedAuditLog log = open(rest, journal(), 64);
        recordAll(log, 1, 6);
        log.close();
        // what a crash can leave when lone records' steps overlap: 6 was indexed while its journal
        // line was still being written (so the journal ends at 5), and 5's index call, still running
        // when 6 was sealed, never arrived
        List<String> journaled = journalLines();
        Files.writeString(journal(), String.join("\n", journaled.subList(0, 5)) + "\n");
        String fifth = AuditEsSupport.auditIdAt(rest, index, 5);
        call(rest, "DELETE", "/" + index + "/_doc/" + fifth + "?refresh=true", null);
        assertEquals(new VerifyResult.Broken(fifth, 5, "node-a", VerifyResult.MISSING).withAgency("DPD"), verify(journal()).firstBroken());

        String sixth = AuditEsSupport.auditIdAt(rest, index, 6);

        ChainedAuditLog restarted = restartLogged();
        assertEquals(fifth, AuditEsSupport.auditIdAt(rest, index, 5), "the journaled record itself, re-sent");
        // 6 is taken into the journal from the index, and both steps are on the record
        assertEquals(sixth, journalRecord(6).path("audit_id").asText());
        assertRecoveryRecord(journalRecord(7), "seq 6 ", "in the index but not in the journal");
        assertRecoveryRecord(journalRecord(8), "seq 5 ", "in the journal but not in the index");
        assertTrue(startUpLog.contains("WARN"), startUpLog);
        AuditRecord next = await(restarted.record(entry(7)));
        assertEquals(9, next.seq(), "the chain continues from the index head, past the journal's");
        assertEquals(AuditEsSupport.hashAt(rest, index, 8), next.prevHash());
        assertVerifies(9);
    }

    /** Appends to the journal a copy of its last record as {@code nodeId}'s next one, linked and hashed anew: as someone with the disk could. */
    private ObjectNode appendToJournalAs(String nodeId) throws Exception {
        List<String> lines = journalLines();
        ObjectNode last = (ObjectNode) CanonicalJson.parse(lines.get(lines.size() - 1));
        ObjectNode added = last.deepCopy();
        added.put("node_id", nodeId);
        added.put("audit_id", java.util.UUID.randomUUID().toString());
        added.put("seq", last.path("seq").asLong() + 1);
        added.put("prev_hash", last.path("hash").asText());
        added.put("hash", AuditDocument.hashOf(added));
        JournalFiles.editLine(journal(), lines.size() + 1, padding -> CanonicalJson.write(added) + "\n" + padding);
        return added;
    }

    @Test
    void aRecordOfAnotherNodeAddedToTheJournalIsNamedByVerifyAndNotReSentToTheIndex() throws Exception {
        writtenAndClosed(5);
        ObjectNode foreign = appendToJournalAs("node-b");
        ObjectNode own = appendToJournalAs("node-a");

        restartLogged();
        call(rest, "POST", "/" + index + "/_refresh", null);
        assertEquals(0, call(rest, "POST", "/" + index + "/_count?q=node_id:node-b", null).path("count").asLong(),
                "another node's record is not this node's to re-create in the index");
        assertEquals(own.path("audit_id").asText(), AuditEsSupport.auditIdAt(rest, index, 7), "this node's records after it are");
        assertTrue(startUpLog.contains("1 record(s) after seq 0 are of another node than node-a"), startUpLog);
        List<VerifyResult.Broken> problems = verify(journal()).problems();
        assertTrue(problems.contains(new VerifyResult.Broken(foreign.path("audit_id").asText(), 6, "node-a", VerifyResult.JOURNAL_OTHER_NODE, 6L).withAgency("DPD")),
                problems.toString());
    }

    @Test
    void aJournalEndingWithARecordOfAnotherNodeIsNotContinuedFrom() throws Exception {
        writtenAndClosed(5);
        appendToJournalAs("node-b");
        List<String> before = journalLines();

        ChainedAuditLog log = new ChainedAuditLog(vertx, rest, index, "node-a", journal(), 64, new SimpleMeterRegistry());
        logs.add(log);
        Throwable failure = awaitFailure(log.start());
        assertInstanceOf(AuditUnavailableException.class, failure);
        assertTrue(failure.getMessage().contains("ends with a record of node node-b (seq 6), not of node node-a"), failure.getMessage());
        assertEquals(before, journalLines(), "left as it is");
        call(rest, "POST", "/" + index + "/_refresh", null);
        assertEquals(0, call(rest, "POST", "/" + index + "/_count?q=node_id:node-b", null).path("count").asLong());
    }

    @Test
    void restartTakesARecordForgedAtTheIndexHeadIntoTheJournalAndLeavesItOnTheRecord() throws Exception {
        writtenAndClosed(5);
        // someone with write access to the index adds a record after the head: correctly linked and hashed
        String forged = AuditEsSupport.forgeNext(rest, index, 5);

        ChainedAuditLog restarted = restartLogged();
        String warning = startUpLog.lines().filter(l -> l.contains("in the index but not in the journal")).findFirst().orElse("");
        assertTrue(warning.contains("WARN") && warning.contains("seq 6"), startUpLog);
        // journal and index agree again: the journal holds the forged record as the index does
        assertEquals(7, journalLines().size());
        assertEquals(forged, journalRecord(6).path("audit_id").asText());
        assertEquals(CanonicalJson.write(call(rest, "GET", "/" + index + "/_doc/" + forged, null).path("_source")), journalLines().get(5));
        // and the trail says it was taken over at start-up, right after it
        ObjectNode recovery = journalRecord(7);
        assertRecoveryRecord(recovery, "seq 6 ", "in the index but not in the journal");
        assertEquals(recovery.path("hash").asText(), AuditEsSupport.hashAt(rest, index, 7), "indexed too");
        assertEquals(8, await(restarted.record(entry(8))).seq());
        assertVerifies(8);
    }

    /** Keeps the journal's first {@code n} records only: a journal that lost its tail, or one restored from an older backup. */
    private void journalCutTo(int n) throws Exception {
        Files.writeString(journal(), String.join("\n", journalLines().subList(0, n)) + "\n");
    }

    /** Replaces the index's record at {@code seq} with {@code edit} of it (the hash is left as it is: re-hash in {@code edit}). */
    private String editIndexRecord(long seq, java.util.function.Consumer<ObjectNode> edit) {
        String id = AuditEsSupport.auditIdAt(rest, index, seq);
        ObjectNode doc = (ObjectNode) call(rest, "GET", "/" + index + "/_doc/" + id, null).path("_source");
        edit.accept(doc);
        call(rest, "PUT", "/" + index + "/_doc/" + id + "?refresh=true", CanonicalJson.write(doc));
        return id;
    }

    /** The audit ids of the journal's records, in order. */
    private List<String> journalAuditIds() throws Exception {
        return journalLines().stream().map(line -> CanonicalJson.parse(line).path("audit_id").asText()).toList();
    }

    @Test
    void restartTakesFromTheIndexOnlyTheRecordsThatLinkAndStopsAtTheFirstThatDoesNot() throws Exception {
        writtenAndClosed(6);
        journalCutTo(3);
        String fourth = AuditEsSupport.auditIdAt(rest, index, 4);
        // seq 5 re-linked in the index: hashed anew over a prev_hash that is not 4's hash
        String fifth = editIndexRecord(5, doc -> {
            doc.put("prev_hash", "ab".repeat(32));
            doc.put("hash", AuditDocument.hashOf(doc));
        });
        String sixth = AuditEsSupport.auditIdAt(rest, index, 6);

        ChainedAuditLog restarted = restartLogged();
        List<String> ids = journalAuditIds();
        assertEquals(fourth, ids.get(3), "4 continues the journal's chain: taken");
        assertFalse(ids.contains(fifth), "5 does not link to 4: " + ids);
        assertFalse(ids.contains(sixth), "nor anything after it");
        assertRecoveryRecord(journalRecord(5), "seq 4 ", "in the index but not in the journal");
        String warning = startUpLog.lines().filter(l -> l.contains("not taken into the journal")).findFirst().orElse("");
        assertTrue(warning.contains("WARN") && warning.contains("2 record(s)") && warning.contains("seq 5 (audit id " + fifth + ")")
                && warning.contains("does not link"), startUpLog);
        // the chain goes on from the last record taken; the records left are in the index for verify to report
        assertEquals(6, await(restarted.record(entry(7))).seq());
        assertEquals(fifth, AuditEsSupport.call(rest, "GET", "/" + index + "/_doc/" + fifth, null).path("_id").asText(), "left as it is");
        assertFalse(verify(journal()).ok());
    }

    @Test
    void restartTakesNeitherOfTwoRecordsAtOneSeqPastTheJournal() throws Exception {
        writtenAndClosed(3);
        // two records claim seq 4, each hashed and linked to 3: which would be the node's?
        String one = AuditEsSupport.forgeNext(rest, index, 3);
        String other = AuditEsSupport.forgeNext(rest, index, 3);

        ChainedAuditLog restarted = restartLogged();
        assertEquals(3, journalLines().size(), "nothing taken, and so no recovery record: " + journalAuditIds());
        String warning = startUpLog.lines().filter(l -> l.contains("not taken into the journal")).findFirst().orElse("");
        assertTrue(warning.contains("WARN") && warning.contains("two records claim seq 4") && warning.contains(one) && warning.contains(other),
                startUpLog);
        assertEquals(4, await(restarted.record(entry(4))).seq(), "the chain goes on from the journal's head");
    }

    @Test
    void restartDoesNotTakeARecordEditedInTheIndexPastTheJournal() throws Exception {
        writtenAndClosed(5);
        journalCutTo(3);
        // edited without its hash computed anew
        String fourth = editIndexRecord(4, doc -> doc.put("purpose", "personal"));

        restartLogged();
        assertEquals(3, journalLines().size(), journalAuditIds().toString());
        String warning = startUpLog.lines().filter(l -> l.contains("not taken into the journal")).findFirst().orElse("");
        assertTrue(warning.contains("seq 4 (audit id " + fourth + ") is not the hash of its content"), startUpLog);
    }

    @Test
    void theJournaledHeadIsTheLastRecordFsyncedNotOneTheIndexHasBeforeTheJournal() throws Exception {
        ChainedAuditLog log = open(rest, devFull(), true, 64);
        // a lone record goes to the index while its journal write fails: its seq is spent, it is not journaled
        assertInstanceOf(AuditUnavailableException.class, awaitFailure(log.record(entry(1))));
        assertEquals(null, log.journaledHead(), "nothing is durable in the journal");
        ChainHead indexed = new ChainHead("node-a", 1, AuditEsSupport.hashAt(rest, index, 1), null);
        assertTrue(log.mayBeOwnHead(indexed), "the record the node spent, its journal line owed");
        // a record added to the index after it is no head of this node's
        AuditEsSupport.forgeNext(rest, index, 1);
        assertFalse(log.mayBeOwnHead(new ChainHead("node-a", 2, AuditEsSupport.hashAt(rest, index, 2), null)));

        log.close();
        ChainedAuditLog working = open(rest, journal(), 64);
        assertEquals(journalRecord(journalLines().size()).path("hash").asText(), working.journaledHead().hash(), "start-up's last line");
        AuditRecord next = await(working.record(entry(3)));
        assertEquals(next.seq(), working.journaledHead().seq());
        assertEquals(next.hash(), working.journaledHead().hash());
        assertTrue(working.mayBeOwnHead(new ChainHead("node-a", next.seq() - 1, "any hash below the head", null)), "the index lags");
        assertFalse(working.mayBeOwnHead(new ChainHead("node-a", next.seq(), "0".repeat(64), null)), "a second record at the head's seq");
    }

    @Test
    void aCorruptedLastJournalLineIsSetAsideWithoutBeingCalledUnacknowledgedAndTakenBackFromTheIndex() throws Exception {
        ChainedAuditLog first = open(rest, journal(), 64);
        recordAll(first, 1, 1);
        // no refresh until start-up asks for one: a restart within a second of the last record,
        // which a search of the index would not see yet (and the chain would reuse its seq)
        call(rest, "PUT", "/" + index + "/_settings", "{\"index.refresh_interval\":\"-1\"}");
        recordAll(first, 2, 4);
        first.close();
        String fourth = journalLines().get(3);
        JournalFiles.editLine(journal(), 4, line -> "X" + line.substring(1));

        restartLogged();
        String setAside = startUpLog.lines().filter(l -> l.contains(".torn-")).findFirst().orElse("");
        assertTrue(setAside.contains("copied to"), startUpLog);
        assertFalse(setAside.contains("never acknowledged"), "a complete, fsynced record was acknowledged: " + setAside);
        // the index's copy of 4 is taken back into the journal, and that is on the record
        assertEquals(fourth, journalLines().get(3));
        assertRecoveryRecord(journalRecord(5), "seq 4 ", "in the index but not in the journal");
        VerifyResult result = verify(journal());
        assertTrue(result.ok(), result.toJson().toString());
    }

    @Test
    void aRecordWhoseJournalWriteFailedIsJournaledBeforeTheNextRecordsSoTheJournalHasNoGap() throws Exception {
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        ChainedAuditLog log = startedWithTwoRecords(failures);
        failures.set(1);
        // lone, so indexed while its journal write failed: the search fails, its seq is spent
        assertInstanceOf(AuditUnavailableException.class, awaitFailure(log.record(entry(3))));
        assertEquals(2, journalLines().size());
        assertEquals(4, await(log.record(entry(4))).seq());
        assertEquals(List.of(1L, 2L, 3L, 4L), journalSeqs());
        assertVerifies(4);
    }

    /**
     * A journal write that does not return (a disk that hangs; a file system frozen with fsfreeze) fails
     * nothing, so nothing else would tell: the log names it once it has waited five seconds, and no
     * longer once it returns.
     */
    @Test
    void aJournalWriteThatDoesNotReturnIsNamedOnceItHasWaitedFiveSeconds() throws Exception {
        java.util.concurrent.CountDownLatch thawed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean frozen = new java.util.concurrent.atomic.AtomicBoolean();
        AuditJournal freezable = new AuditJournal(journal()) {
            @Override
            public void append(List<String> lines) throws IOException {
                try {
                    if (frozen.get()) thawed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                super.append(lines);
            }
        };
        ChainedAuditLog log = new ChainedAuditLog(vertx, rest, index, "node-a", freezable, true, 64, new SimpleMeterRegistry());
        logs.add(log);
        await(log.start());
        recordAll(log, 1, 1);
        frozen.set(true);
        Future<AuditRecord> waiting = log.record(entry(2));
        Thread.sleep(1_000);
        assertEquals(null, log.writeProblem(), "a slow write is not a hung one");
        waitFor(() -> log.writeProblem() != null, 15);
        String problem = log.writeProblem();
        assertNotNull(problem);
        assertTrue(problem.startsWith("a write to the audit journal has not returned for "), problem);
        thawed.countDown();
        assertEquals(2, await(waiting).seq());
        assertEquals(null, log.writeProblem());
        assertVerifies(2);
    }

    /** The record that went to the index while its journal line failed is journaled by the idle writer, no next record needed. */
    @Test
    void aRecordWhoseJournalWriteFailedIsJournaledWhileIdle() throws Exception {
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        ChainedAuditLog log = startedWithTwoRecords(failures);
        failures.set(1);
        assertNotNull(assertInstanceOf(AuditUnavailableException.class, awaitFailure(log.record(entry(3)))).recordedAs());
        waitFor(() -> journalLines().size() >= 3, 10);
        assertEquals(List.of(1L, 2L, 3L), journalSeqs());
        assertEquals(null, log.writeProblem());
        assertVerifies(3);
    }

    /**
     * A record whose write failed after its seq was spent is in the trail: the failure names it
     * (recordedAs), so the caller can write what became of the request. Such a record owed is
     * written even when the journal refuses it at first: the writer keeps it and, idle, tries again,
     * after the record it is about.
     */
    @Test
    void aRecordOwedThatTheJournalRefusesIsKeptAndWrittenAfterTheRecordItIsAbout() throws Exception {
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        ChainedAuditLog log = startedWithTwoRecords(failures);
        failures.set(2);
        // lone, so indexed while its journal write failed: its seq is spent, and the failure says so
        AuditUnavailableException spent = assertInstanceOf(AuditUnavailableException.class, awaitFailure(log.record(entry(3))));
        assertNotNull(spent.recordedAs(), "a record indexed before its journal write failed is in the trail");
        // the record owed about it: the journal refuses it too (journaled first now), so it is kept
        AuditEntry owed = new AuditEntry("search_correction", "u", "DPD", Set.of("investigator"), "stolen_vehicle", "C-3",
                CanonicalJson.MAPPER.createObjectNode().put("corrects", spent.recordedAs()), null, "failed", "answered 503", 503, 0, List.of());
        assertInstanceOf(AuditUnavailableException.class, awaitFailure(log.recordOwed(owed)));
        assertEquals(2, journalLines().size());
        // no further record comes: the idle writer writes it, after seq 3, within a couple of seconds
        waitFor(() -> journalLines().size() >= 4, 10);
        assertEquals(List.of(1L, 2L, 3L, 4L), journalSeqs());
        ObjectNode fourth = (ObjectNode) CanonicalJson.parse(journalLines().get(3));
        assertEquals("search_correction", fourth.path("action").asText());
        assertEquals(spent.recordedAs(), fourth.path("query").path("corrects").asText());
        assertEquals(CanonicalJson.parse(journalLines().get(2)).path("audit_id").asText(), spent.recordedAs());
        assertEquals(5, await(log.record(entry(5))).seq());
        assertVerifies(5);
    }

    /**
     * After a journal write failed, the log says so to whoever asks ({@link ChainedAuditLog#writeProblem},
     * the node's readiness) until one succeeds — and with no request coming (a load balancer sends
     * none to a node that is not ready) and nothing owed to write, it tries the journal itself while
     * idle, with padding only, so that it finds out once the disk takes writes again.
     */
    @Test
    void aJournalWhoseWriteFailedIsTriedAgainWhileIdleAndTheLogSaysWhyItRefusesMeanwhile() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean readOnly = new java.util.concurrent.atomic.AtomicBoolean();
        ChainedAuditLog log = new ChainedAuditLog(vertx, rest, index, "node-a",
                JournalFaults.failingWhile(journal(), AuditJournal.DEFAULT_PREALLOCATION, readOnly::get), false, 64, new SimpleMeterRegistry());
        logs.add(log);
        await(log.start());
        recordAll(log, 1, 1);
        assertEquals(null, log.writeProblem());
        readOnly.set(true);
        // journaled first (no overlap): the record is refused before its seq is spent, and nothing is owed
        AuditUnavailableException refused = assertInstanceOf(AuditUnavailableException.class, awaitFailure(log.record(entry(2))));
        assertEquals(null, refused.recordedAs());
        String problem = log.writeProblem();
        assertNotNull(problem);
        assertTrue(problem.contains("the audit journal has failed every write since") && problem.contains("Read-only file system"), problem);
        Thread.sleep(1_500); // an idle try or more, which fails
        assertNotNull(log.writeProblem());
        readOnly.set(false);
        waitFor(() -> log.writeProblem() == null, 10);
        assertEquals(null, log.writeProblem(), "found out without a record to write");
        assertEquals(1, journalLines().size(), "the try wrote padding only");
        assertEquals(2, await(log.record(entry(2))).seq());
        assertVerifies(2);
    }

    /** A started log, records 1 and 2 written, on a journal whose next {@code failures} appends fail; a lone record's steps overlap. */
    private ChainedAuditLog startedWithTwoRecords(java.util.concurrent.atomic.AtomicInteger failures) {
        ChainedAuditLog log = new ChainedAuditLog(vertx, rest, index, "node-a", failingJournal(failures), true, 64, new SimpleMeterRegistry());
        logs.add(log);
        await(log.start());
        recordAll(log, 1, 2);
        return log;
    }

    private List<Long> journalSeqs() throws Exception {
        return journalLines().stream().map(l -> CanonicalJson.parse(l).path("seq").asLong()).toList();
    }

    /** Waits up to {@code seconds} for {@code done}, asking every 100 ms. */
    private static void waitFor(java.util.concurrent.Callable<Boolean> done, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.call() && System.nanoTime() < deadline) Thread.sleep(100);
    }

    /** This test's journal, whose next {@code failures} appends fail. */
    private AuditJournal failingJournal(java.util.concurrent.atomic.AtomicInteger failures) {
        return new AuditJournal(journal()) {
            @Override
            public void append(List<String> lines) throws java.io.IOException {
                if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw new java.io.IOException("the disk said no");
                super.append(lines);
            }
        };
    }

    /** A client on the shared node that counts the audit write requests it sends, by kind. */
    private static RestClient countingClient(java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> requests) {
        java.net.URI uri = java.net.URI.create(org.platewarden.testkit.ElasticsearchFixture.url());
        return RestClient.builder(new org.apache.http.HttpHost(uri.getHost(), uri.getPort(), uri.getScheme()))
                .setHttpClientConfigCallback(b -> b.addInterceptorLast((org.apache.http.HttpRequestInterceptor) (request, context) -> {
                    String uriText = request.getRequestLine().getUri();
                    String kind = uriText.contains("/_bulk") ? "bulk" : uriText.contains("/_create/") ? "create" : "other";
                    requests.computeIfAbsent(kind, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
                }))
                .build();
    }

    /** Records queued together, as under a flood of 401s with investigators searching meanwhile. */
    private List<Future<AuditRecord>> recordTogether(ChainedAuditLog log, int anonymous, int authenticated) throws InterruptedException {
        List<Future<AuditRecord>> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        vertx.runOnContext(v -> {
            for (int i = 1; i <= anonymous; i++) all.add(log.record(anonymousEntry(i)));
            for (int i = 1; i <= authenticated; i++) all.add(log.record(entry(i)));
        });
        while (all.size() < anonymous + authenticated) Thread.sleep(5);
        return all;
    }

    @Test
    void recordsJournaledTogetherAreIndexedInOneRequestPerLaneNotOneEach() throws Exception {
        java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> requests = new java.util.concurrent.ConcurrentHashMap<>();
        RestClient counting = countingClient(requests);
        try {
            ChainedAuditLog log = open(counting, journal(), false, 1024);
            requests.clear(); // start-up's own calls
            List<Future<AuditRecord>> all = recordTogether(log, 150, 20);
            for (Future<AuditRecord> f : all) await(f);
            int writes = requests.getOrDefault("bulk", new java.util.concurrent.atomic.AtomicInteger()).get()
                    + requests.getOrDefault("create", new java.util.concurrent.atomic.AtomicInteger()).get();
            // 170 records in a handful of writer batches, each at most two requests (one per lane)
            assertTrue(writes <= 20, "index requests for 170 records: " + requests);
            assertTrue(requests.containsKey("bulk"), "no bulk request: " + requests);
            VerifyResult result = new AuditVerifier(rest, index, journal(), "node-a", 50).verify();
            assertTrue(result.ok(), result.toJson().toString());
            assertEquals(170, result.records());
        } finally {
            logs.forEach(ChainedAuditLog::close);
            logs.clear();
            counting.close();
        }
    }

    @Test
    void aBulkTheIndexRefusesFailsEachOfItsRecordsAndTheyAreResentBeforeTheNextRecord() throws Exception {
        ChainedAuditLog log = open(rest, journal(), false, 512);
        await(log.record(entry(1))); // the index exists
        call(rest, "PUT", "/" + index + "/_settings", "{\"index.blocks.write\":true}");
        List<Future<AuditRecord>> all;
        try {
            all = recordTogether(log, 30, 3);
            for (Future<AuditRecord> f : all) assertInstanceOf(AuditUnavailableException.class, awaitFailure(f));
        } finally {
            call(rest, "PUT", "/" + index + "/_settings", "{\"index.blocks.write\":false}");
        }
        assertEquals(34, journalLines().size(), "each was journaled before its index step failed");
        // the next record waits for the backlog: afterwards the index holds every journaled record
        assertEquals(35, await(log.record(entry(35))).seq());
        VerifyResult result = verify(journal());
        assertTrue(result.ok(), result.toJson().toString());
        assertEquals(35, result.records());
    }

    @Test
    void capacityBeyondWhatARestartReSendsIsRefused() {
        Path journal = journal();
        assertThrows(IllegalArgumentException.class, () -> new ChainedAuditLog(vertx, rest, index, "node-a", journal,
                ChainedAuditLog.RESEND_WINDOW / 2 + 1, null));
    }

    @Test
    void indexUnavailableFailsTheRecordAndTheJournaledRecordIsResentLater() throws Exception {
        RestClient doomed = AuditEsSupport.restClient();
        ChainedAuditLog log = open(doomed, journal(), 64);
        recordAll(log, 1, 2);
        doomed.close(); // the audit store goes away

        Throwable failure = awaitFailure(log.record(entry(3)));
        assertInstanceOf(AuditUnavailableException.class, failure);
        Throwable next = awaitFailure(log.record(entry(4)));
        assertInstanceOf(AuditUnavailableException.class, next);
        // the first failed record reached the journal; the next one was refused before it (backlog not flushed)
        assertEquals(3, journalLines().size());
        assertEquals(VerifyResult.MISSING, verify(journal()).firstBroken().problem());
        log.close();

        // a restart re-sends what the index lacks, records that it did, and the chain is whole again
        ChainedAuditLog restarted = open(rest, journal(), 64);
        assertRecoveryRecord(journalRecord(4), "seq 3 ", "in the journal but not in the index");
        assertEquals(5, await(restarted.record(entry(4))).seq());
        assertVerifies(5);
    }

    @Test
    void eachDurableStepIsTimedApartInsideTheWholeWrite() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RestClient doomed = AuditEsSupport.restClient();
        ChainedAuditLog log = new ChainedAuditLog(vertx, doomed, index, "node-a", journal(), false, 64, registry);
        logs.add(log);
        await(log.start());
        recordAll(log, 1, 3);
        Timer write = registry.get("platewarden_audit_write").timer();
        Timer journaled = registry.get("platewarden_audit_journal").timer();
        Timer indexed = registry.get("platewarden_audit_index").timer();
        assertEquals(3, write.count());
        assertEquals(3, journaled.count());
        assertEquals(3, indexed.count());
        // journaled first, then indexed (steps not overlapped): together they never exceed the whole write
        assertTrue(journaled.totalTime(TimeUnit.NANOSECONDS) + indexed.totalTime(TimeUnit.NANOSECONDS)
                <= write.totalTime(TimeUnit.NANOSECONDS), registry.getMetersAsString());
        assertTrue(journaled.totalTime(TimeUnit.NANOSECONDS) > 0 && indexed.totalTime(TimeUnit.NANOSECONDS) > 0);

        // a failed index call is still timed (ops see how long Elasticsearch took to fail), and so is its journaling
        doomed.close();
        assertInstanceOf(AuditUnavailableException.class, awaitFailure(log.record(entry(4))));
        assertEquals(4, write.count());
        assertEquals(4, journaled.count());
        assertEquals(4, indexed.count());
    }

    /** A journal whose every write fails: /dev/full, linked from the data dir (where its lock file goes). */
    private Path devFull() throws IOException {
        Path devFull = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(devFull), "needs /dev/full");
        return Files.createSymbolicLink(dataDir.resolve("full.ndjson"), devFull);
    }

    @Test
    void unwritableJournalFailsTheRecordAndNothingReachesTheIndexWhenStepsDoNotOverlap() throws Exception {
        Path devFull = devFull();
        ChainedAuditLog log = open(rest, devFull, false, 64);
        Throwable failure = awaitFailure(log.record(entry(1)));
        assertInstanceOf(AuditUnavailableException.class, failure);
        // nothing reached the index either (a wildcard count: the index was never even created)
        assertEquals(0, call(rest, "GET", "/" + index + "*/_count", null).path("count").asLong());
    }

    @Test
    void unwritableJournalCostsOneLoneRecordIndexedWithoutItsLineAndTheChainStaysWhole() throws Exception {
        Path devFull = devFull();
        ChainedAuditLog log = open(rest, devFull, true, 64);
        // the lone record went to the index while its journal write failed: the search still fails
        assertInstanceOf(AuditUnavailableException.class, awaitFailure(log.record(entry(1))));
        call(rest, "POST", "/" + index + "/_refresh", null);
        assertEquals(1, call(rest, "GET", "/" + index + "/_count", null).path("count").asLong(), "indexed at the same time as journaled");
        // after a failed journal write the log journals first: the next records reach nothing
        for (int i = 2; i <= 4; i++) assertInstanceOf(AuditUnavailableException.class, awaitFailure(log.record(entry(i))));
        call(rest, "POST", "/" + index + "/_refresh", null);
        assertEquals(1, call(rest, "GET", "/" + index + "/_count", null).path("count").asLong(), "one record, not one per search");
        log.close();

        // on a working disk the chain continues after the record the index holds, which the new
        // journal takes from the index (and records that it did); nothing is missing
        ChainedAuditLog replaced = open(rest, journal(), 64);
        assertEquals(AuditEsSupport.auditIdAt(rest, index, 1), journalRecord(1).path("audit_id").asText());
        assertRecoveryRecord(journalRecord(2), "seq 1 ", "in the index but not in the journal");
        AuditRecord next = await(replaced.record(entry(2)));
        assertEquals(3, next.seq());
        assertEquals(AuditEsSupport.hashAt(rest, index, 2), next.prevHash());
        assertVerifies(3);
    }

    @Test
    void journalInAPlaceThatCannotBeCreatedFailsStart() throws Exception {
        Path notADirectory = dataDir.resolve("file");
        Files.writeString(notADirectory, "x");
        ChainedAuditLog log = new ChainedAuditLog(vertx, rest, index, "node-a", notADirectory.resolve("audit/a.ndjson"), 8, null);
        logs.add(log);
        assertInstanceOf(AuditUnavailableException.class, awaitFailure(log.start()));
        assertInstanceOf(AuditUnavailableException.class, awaitFailure(log.record(entry(1))));
    }

    @Test
    void saturationFailsFastInsteadOfQueueing() {
        ChainedAuditLog log = open(rest, journal(), 2);
        List<Future<AuditRecord>> all = new ArrayList<>();
        vertx.runOnContext(v -> {
            for (int i = 1; i <= 5; i++) all.add(log.record(entry(i)));
        });
        while (all.size() < 5) Thread.onSpinWait();
        AuditUnavailableException saturated = (AuditUnavailableException) awaitFailure(all.get(2));
        assertTrue(saturated.saturated());
        assertEquals(1, await(all.get(0)).seq());
        assertEquals(2, await(all.get(1)).seq());
    }

    @Test
    void anonymousRecordsHoldAtMostAQuarterOfTheSlotsAndAuthenticatedOnesAreStillWritten() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ChainedAuditLog log = new ChainedAuditLog(vertx, rest, index, "node-a", journal(), true, 8, registry);
        logs.add(log);
        await(log.start());
        List<Future<AuditRecord>> anonymous = new ArrayList<>();
        List<Future<AuditRecord>> authenticated = new ArrayList<>();
        Promise<Void> issued = Promise.promise();
        // asked for in one event-loop task: none completes, giving its slot back, before all are asked for
        vertx.runOnContext(v -> {
            for (int i = 1; i <= 3; i++) anonymous.add(log.record(anonymousEntry(i)));
            for (int i = 1; i <= 7; i++) authenticated.add(log.record(entry(i)));
            issued.complete();
        });
        await(issued.future());

        // 8 slots: 2 for anonymous records, the third refused although 6 were free
        AuditUnavailableException share = (AuditUnavailableException) awaitFailure(anonymous.get(2));
        assertTrue(share.saturated());
        // authenticated records take every slot the anonymous ones left, durably written, and only then are refused
        for (Future<AuditRecord> f : authenticated.subList(0, 6)) {
            AuditRecord written = await(f);
            JsonNode stored = call(rest, "GET", "/" + index + "/_doc/" + written.auditId(), null).path("_source");
            assertEquals(written.hash(), stored.path("hash").asText(), "indexed before its future completed");
        }
        assertTrue(((AuditUnavailableException) awaitFailure(authenticated.get(6))).saturated());
        assertEquals(1, registry.get("platewarden_audit_saturated").tag("lane", "anonymous").counter().count());
        assertEquals(1, registry.get("platewarden_audit_saturated").tag("lane", "authenticated").counter().count());
        for (Future<AuditRecord> f : anonymous.subList(0, 2)) await(f);
        assertEquals(8, journalLines().size());

        // written, they give their slots back
        assertEquals(9, await(log.record(anonymousEntry(4))).seq());
        VerifyResult result = verify(journal());
        assertTrue(result.ok(), result.toJson().toString());
        assertEquals(9, result.records());
    }
}
