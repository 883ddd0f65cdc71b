package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.audit.AuditEsSupport.await;
import static org.platewarden.search.audit.AuditEsSupport.call;
import static org.platewarden.search.audit.AuditEsSupport.entry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verify checks the journal's own contents as well as the index against it: a journal line edited,
 * unreadable or removed, and a record in the index the journal never had, are each named, with the
 * copy that is wrong.
 */
class AuditVerifierJournalIT {
    @RegisterExtension
    final AuditIndexExtension audit = new AuditIndexExtension("auditj");
    @TempDir
    Path dataDir;

    private Path journal() {
        return AuditJournal.pathFor(dataDir, "node-a");
    }

    /** Records 1..n written by a log that is then closed. */
    private void written(int n) {
        try (ChainedAuditLog log = new ChainedAuditLog(audit.vertx(), audit.rest(), audit.index(), "node-a", journal(), 64, new SimpleMeterRegistry())) {
            await(log.start());
            for (int i = 1; i <= n; i++) await(log.record(entry(i)));
        }
    }

    private VerifyResult verify() throws Exception {
        return new AuditVerifier(audit.rest(), audit.index(), journal(), "node-a", 3).verify();
    }

    /** Each problem of a result as "seq: problem" (with " @line n" where it names a journal line). */
    private static List<String> problems(VerifyResult result) {
        return result.problems().stream()
                .map(p -> p.seq() + ": " + p.problem() + (p.journalLine() == null ? "" : " @line " + p.journalLine()))
                .toList();
    }

    /** Replaces the index's records from {@code fromSeq} on with edited ones, each re-hashed and linked to the one before. */
    private void rechainIndexFrom(long fromSeq, long toSeq) {
        String prev = AuditEsSupport.hashAt(audit.rest(), audit.index(), fromSeq - 1);
        for (long seq = fromSeq; seq <= toSeq; seq++) {
            String id = AuditEsSupport.auditIdAt(audit.rest(), audit.index(), seq);
            ObjectNode doc = (ObjectNode) call(audit.rest(), "GET", "/" + audit.index() + "/_doc/" + id, null).path("_source");
            doc.put("purpose", "personal");
            doc.put("prev_hash", prev);
            doc.put("hash", AuditDocument.hashOf(doc));
            prev = doc.get("hash").asText();
            call(audit.rest(), "PUT", "/" + audit.index() + "/_doc/" + id + "?refresh=true", CanonicalJson.write(doc));
        }
    }

    @Test
    void aJournalRecordEditedWithItsHashLeftAsItWasIsReportedAsTheJournalsCopy() throws Exception {
        written(6);
        JournalFiles.editLine(journal(), 3, line -> line.replace("\"hit_count\":1,", "\"hit_count\":99,"));

        VerifyResult result = verify();
        assertFalse(result.ok());
        assertEquals(List.of("3: " + VerifyResult.JOURNAL_EDITED + " @line 3"), problems(result));
        assertEquals(AuditEsSupport.auditIdAt(audit.rest(), audit.index(), 3), result.firstBroken().auditId());
    }

    @Test
    void anUnreadableJournalLineIsReportedAndTheIndexIsComparedWithTheJournalPastIt() throws Exception {
        written(12);
        JournalFiles.editLine(journal(), 10, line -> "X" + line.substring(1));
        // the index rewritten from 10 on, every record re-hashed and re-linked: only the journal can tell
        rechainIndexFrom(10, 12);

        VerifyResult result = verify();
        assertFalse(result.ok());
        assertEquals(List.of("10: " + VerifyResult.JOURNAL_UNREADABLE + " @line 10", "11: " + VerifyResult.INDEX_DIFFERS + " @line 11"),
                problems(result));
        assertEquals(9, result.records(), "the records verified before the first problem");
    }

    @Test
    void anUnreadableJournalLineAloneIsAProblemNotTheJournalsEnd() throws Exception {
        written(6);
        JournalFiles.editLine(journal(), 4, line -> "X" + line.substring(1));

        assertEquals(List.of("4: " + VerifyResult.JOURNAL_UNREADABLE + " @line 4"), problems(verify()));
    }

    @Test
    void theJournalsLastLineUnreadableIsReportedToo() throws Exception {
        written(6);
        JournalFiles.editLine(journal(), 6, line -> "X" + line.substring(1));

        assertEquals(List.of("6: " + VerifyResult.JOURNAL_UNREADABLE + " @line 6"), problems(verify()));
    }

    @Test
    void aLineRemovedFromTheJournalIsAGapInTheJournal() throws Exception {
        written(6);
        JournalFiles.editLine(journal(), 4, line -> null);

        assertEquals(List.of("4: " + VerifyResult.JOURNAL_MISSING + " @line 4"), problems(verify()));
    }

    @Test
    void theJournalsFirstLinesRemovedAreAGapAtSeqOneThoughTheIndexHasThem() throws Exception {
        written(6);
        JournalFiles.editLine(journal(), 1, line -> null);
        JournalFiles.editLine(journal(), 1, line -> null);

        VerifyResult result = verify();
        assertFalse(result.ok());
        assertEquals(List.of("1: " + VerifyResult.JOURNAL_MISSING + " @line 1"), problems(result));
    }

    @Test
    void aJournalRecordReLinkedWithARecomputedHashBreaksTheJournalsChain() throws Exception {
        written(6);
        JournalFiles.editLine(journal(), 4, line -> {
            ObjectNode doc = (ObjectNode) CanonicalJson.parse(line);
            doc.put("prev_hash", "f".repeat(64));
            doc.put("hash", AuditDocument.hashOf(doc));
            return CanonicalJson.write(doc);
        });

        // the index's record 4 is sound and the journal's next record links to it: only the journal's 4 is named
        assertEquals(List.of("4: " + VerifyResult.JOURNAL_BROKEN_LINK + " @line 4"), problems(verify()));
    }

    @Test
    void aRecordForgedAtTheIndexHeadIsInTheIndexButNotInTheJournal() throws Exception {
        written(5);
        String forged = AuditEsSupport.forgeNext(audit.rest(), audit.index(), 5);

        VerifyResult result = verify();
        assertFalse(result.ok());
        assertEquals(List.of("6: " + VerifyResult.NOT_IN_JOURNAL), problems(result));
        assertEquals(forged, result.firstBroken().auditId());
        assertEquals(5, result.records());
    }

    @Test
    void verifyDuringWritesFindsNothingAmiss() throws Exception {
        try (ChainedAuditLog log = new ChainedAuditLog(audit.vertx(), audit.rest(), audit.index(), "node-a", journal(), 64, new SimpleMeterRegistry())) {
            await(log.start());
            for (int i = 1; i <= 5; i++) await(log.record(entry(i)));
            // lone records whose index and journal steps overlap, written while verify walks and re-reads the journal
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                for (int i = 6; writing.get() && i < 2000; i++) await(log.record(entry(i)));
            });
            writer.start();
            try {
                for (int round = 0; round < 5; round++) {
                    VerifyResult result = new AuditVerifier(audit.rest(), audit.index(), journal(), "node-a", 50).verify();
                    assertTrue(result.ok(), result.toJson().toString());
                }
            } finally {
                writing.set(false);
                writer.join();
            }
        }
    }

    @Test
    void noJournalWhereTheIndexHasTheNodesRecordsIsReportedWithTheJournalsTheDataDirHas() throws Exception {
        written(3);
        Path elsewhere = dataDir.resolve("elsewhere");
        java.nio.file.Files.createDirectories(elsewhere.resolve("audit"));
        java.nio.file.Files.writeString(AuditJournal.pathFor(elsewhere, "node-b"), "\n");
        Path expected = AuditJournal.pathFor(elsewhere, "node-a");
        VerifyResult result = new AuditVerifier(audit.rest(), audit.index(), expected, "node-a", 3).verify();
        assertFalse(result.ok());
        assertTrue(result.onlyJournalAbsent());
        assertEquals(3, result.records(), "the index was checked: all its records verified");
        assertEquals(VerifyResult.Broken.noJournal("node-a", expected.toAbsolutePath().normalize().toString(), List.of("audit-node-b.ndjson")),
                result.firstBroken());
        ObjectNode json = result.toJson();
        assertEquals("missing", json.path("journal").asText());
        assertEquals("journal", json.path("first_broken").path("copy").asText());
        assertFalse(json.path("first_broken").has("seq"), json.toString());
        assertEquals("audit-node-b.ndjson", json.path("first_broken").path("journal_files_found").path(0).asText());

        // told to check the index alone, it says so
        VerifyResult indexOnly = new AuditVerifier(audit.rest(), audit.index(), null, "node-a", 3).verify();
        com.fasterxml.jackson.databind.node.ObjectNode indexOnlyJson = indexOnly.toJson();
        assertEquals(3, indexOnlyJson.path("heads").path(0).path("seq").asLong(), indexOnlyJson.toString());
        indexOnlyJson.remove("heads");
        assertEquals("{\"ok\":true,\"records\":3,\"journal\":\"not checked\"}", indexOnlyJson.toString());
    }

    @Test
    void noJournalOfANodeWithNoRecordsInAnEmptyDataDirIsNothingToCheck() throws Exception {
        written(2); // node-a's; node-new has none anywhere
        Path fresh = dataDir.resolve("fresh");
        VerifyResult result = new AuditVerifier(audit.rest(), audit.index(), AuditJournal.pathFor(fresh, "node-new"), "node-new", 3).verify();
        assertTrue(result.ok(), result.toJson().toString());
        assertEquals("none", result.journal());
        assertTrue(result.note().contains("no record of node node-new in the index"), result.note());
        // beside another node's journal the same absence is reported: a wrong node_id or data dir looks like this
        VerifyResult beside = new AuditVerifier(audit.rest(), audit.index(), AuditJournal.pathFor(dataDir, "node-new"), "node-new", 3).verify();
        assertTrue(beside.onlyJournalAbsent(), beside.toJson().toString());
        assertEquals(List.of("audit-node-a.ndjson"), beside.firstBroken().journalFilesFound());
    }

    /**
     * A node of audit_nodes that has not searched yet has no record anywhere: the walk of the index
     * cannot meet it, so verify names it, and stays ok (a fresh deployment verifies); an auditor of
     * any agency is told (a node id is no agency's data).
     */
    @Test
    void aConfiguredNodeWithoutRecordsIsNamedAndTheTrailStillVerifies() throws Exception {
        written(3);
        VerifyResult result = new AuditVerifier(audit.rest(), audit.index(), journal(), "node-a", 3, java.util.Set.of("node-a", "node-x")).verify();
        assertTrue(result.ok(), result.toJson().toString());
        assertEquals(List.of("node-x"), result.nodesWithoutRecords());
        assertEquals("[\"node-x\"]", result.toJson().path("nodes_without_records").toString(), result.toJson().toString());
        assertEquals(List.of("node-x"), result.scopedTo("ACSO").nodesWithoutRecords());
        // with nothing missing, the answer has no such field (the v1 contract's body)
        VerifyResult all = new AuditVerifier(audit.rest(), audit.index(), journal(), "node-a", 3, java.util.Set.of("node-a")).verify();
        assertFalse(all.toJson().has("nodes_without_records"), all.toJson().toString());
    }

    /**
     * The verifying node's whole chain deleted from the index: nothing of it is left for the walk to
     * find a gap in, but its journal holds the records, so the trail does not verify, with the
     * problem said as what it is, at seq 1 with the journal's audit id.
     */
    @Test
    void theVerifyingNodesWholeChainDeletedFromTheIndexIsAProblem() throws Exception {
        written(4);
        String first = AuditEsSupport.auditIdAt(audit.rest(), audit.index(), 1);
        for (long seq = 1; seq <= 4; seq++) {
            call(audit.rest(), "DELETE", "/" + audit.index() + "/_doc/" + AuditEsSupport.auditIdAt(audit.rest(), audit.index(), seq) + "?refresh=true", null);
        }

        VerifyResult result = new AuditVerifier(audit.rest(), audit.index(), journal(), "node-a", 3, java.util.Set.of("node-a", "node-x")).verify();
        assertFalse(result.ok(), result.toJson().toString());
        assertEquals(new VerifyResult.Broken(first, 1, "node-a", VerifyResult.CHAIN_DELETED).withAgency("DPD").withJournalRecords(4), result.firstBroken());
        assertEquals(4, result.toJson().path("first_broken").path("journal_records").asLong(), result.toJson().toString());
        assertEquals("index", result.firstBroken().copy());
        assertEquals(List.of("node-a", "node-x"), result.nodesWithoutRecords());
        assertEquals("[\"node-a\",\"node-x\"]", result.toJson().path("nodes_without_records").toString());
    }
}
