package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AuditVerifier#verifyJournal}: a journal file checked on its own, offline, as an auditor
 * checks a backup. The journal is written as the node writes it (preallocated: records over
 * newline padding), then copied elsewhere and edited there.
 */
class JournalFileVerifyTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path backups;
    private Path live;

    /** A chain of {@code n} records of node-1, sealed as the node seals them: hash over every other field. */
    static List<String> chain(int n) {
        List<String> lines = new ArrayList<>();
        String prev = AuditDocument.GENESIS_HASH;
        for (int seq = 1; seq <= n; seq++) {
            ObjectNode doc = CanonicalJson.MAPPER.createObjectNode();
            doc.put(AuditDocument.AUDIT_ID, "id-" + seq).put(AuditDocument.SEQ, seq).put(AuditDocument.NODE_ID, "node-1")
                    .put(AuditDocument.ACTION, "search").put(AuditDocument.USER, "dpd.investigator").put(AuditDocument.PREV_HASH, prev);
            doc.put(AuditDocument.HASH, AuditDocument.hashOf(doc));
            prev = doc.get(AuditDocument.HASH).asText();
            lines.add(CanonicalJson.write(doc));
        }
        return lines;
    }

    @BeforeEach
    void writeJournal() throws IOException {
        live = AuditJournal.pathFor(dataDir, "node-1");
        try (AuditJournal journal = new AuditJournal(live, 64 * 1024)) {
            journal.open();
            journal.append(chain(6));
        }
    }

    /** A copy in another directory, as a backup is, its record lines edited by {@code edit}; padding kept. */
    private Path backup(java.util.function.Consumer<List<String>> edit) throws IOException {
        String text = Files.readString(live, StandardCharsets.UTF_8);
        int end = text.indexOf("\n\n") + 1;
        List<String> records = new ArrayList<>(List.of(text.substring(0, end).split("\n")));
        edit.accept(records);
        Path copy = backups.resolve("audit-node-1.ndjson.bak");
        Files.writeString(copy, String.join("\n", records) + "\n" + text.substring(end), StandardCharsets.UTF_8);
        return copy;
    }

    private static VerifyResult.Broken problem(String problem, long seq, long line) {
        return new VerifyResult.Broken(null, seq, "node-1", problem, line);
    }

    @Test
    void aGoodCopyVerifiesWithItsPadding() throws Exception {
        assertTrue(Files.size(live) >= 64 * 1024, "preallocated: records, then newlines");
        Path copy = Files.copy(live, backups.resolve("copy.ndjson"));
        VerifyResult result = AuditVerifier.verifyJournal(copy);
        com.fasterxml.jackson.databind.node.ObjectNode json = result.toJson();
        assertEquals(6, json.path("heads").path(0).path("seq").asLong(), json.toString());
        json.remove("heads");
        assertEquals("{\"ok\":true,\"records\":6}", json.toString());
        // and the live one, while a node holds its lock: verifying only reads
        try (AuditJournal open = new AuditJournal(live)) {
            open.open();
            assertTrue(AuditVerifier.verifyJournal(live).ok());
        }
    }

    @Test
    void anEditedRecordIsNamedByItsSeqAndLine() throws Exception {
        Path copy = backup(r -> r.set(3, r.get(3).replace("dpd.investigator", "someone.else")));
        VerifyResult result = AuditVerifier.verifyJournal(copy);
        assertFalse(result.ok());
        assertEquals(3, result.records(), "the records before it verified");
        assertEquals(List.of(new VerifyResult.Broken("id-4", 4, "node-1", VerifyResult.JOURNAL_EDITED, 4L)), result.problems());
        assertEquals("journal", result.firstBroken().copy());
    }

    @Test
    void aDeletedLineIsAGapAtTheLineAfterIt() throws Exception {
        VerifyResult result = AuditVerifier.verifyJournal(backup(r -> r.remove(2)));
        assertEquals(List.of(problem(VerifyResult.JOURNAL_MISSING, 3, 3)), result.problems());
        // the first line too: a file checked on its own must begin at seq 1
        VerifyResult headless = AuditVerifier.verifyJournal(backup(r -> r.remove(0)));
        assertEquals(List.of(problem(VerifyResult.JOURNAL_MISSING, 1, 1)), headless.problems());
    }

    @Test
    void aReorderedLineIsAGapThenABrokenLink() throws Exception {
        VerifyResult result = AuditVerifier.verifyJournal(backup(r -> r.add(2, r.remove(3)))); // lines 3 and 4 swapped
        assertEquals(List.of(problem(VerifyResult.JOURNAL_MISSING, 3, 3),
                new VerifyResult.Broken("id-3", 3, "node-1", VerifyResult.JOURNAL_BROKEN_LINK, 4L)), result.problems());
    }

    @Test
    void anAppendedForgedRecordIsCaught() throws Exception {
        String last = chain(7).get(6);
        // without a valid hash
        ObjectNode forged = (ObjectNode) CanonicalJson.parse(last);
        forged.put(AuditDocument.USER, "forger");
        VerifyResult badHash = AuditVerifier.verifyJournal(backup(r -> r.add(CanonicalJson.write(forged))));
        assertEquals(List.of(new VerifyResult.Broken("id-7", 7, "node-1", VerifyResult.JOURNAL_EDITED, 7L)), badHash.problems());
        assertEquals(6, badHash.records());
        // a valid hash, but not linked to the journal's last record
        forged.put(AuditDocument.PREV_HASH, AuditDocument.GENESIS_HASH);
        forged.put(AuditDocument.HASH, AuditDocument.hashOf(forged));
        VerifyResult badLink = AuditVerifier.verifyJournal(backup(r -> r.add(CanonicalJson.write(forged))));
        assertEquals(List.of(new VerifyResult.Broken("id-7", 7, "node-1", VerifyResult.JOURNAL_BROKEN_LINK, 7L)), badLink.problems());
    }

    @Test
    void unreadableLinesAreNamedAndACopyEndingMidRecordShowsItsTornLastLine() throws Exception {
        VerifyResult damaged = AuditVerifier.verifyJournal(backup(r -> r.set(1, "{\"seq\":2,\"ha")));
        assertEquals(List.of(problem(VerifyResult.JOURNAL_UNREADABLE, 2, 2)), damaged.problems());
        // a copy taken while a record was being written over the padding: it ends in part of a record
        VerifyResult torn = AuditVerifier.verifyJournal(backup(r -> r.set(5, r.get(5).substring(0, 40))));
        assertEquals(List.of(problem(VerifyResult.JOURNAL_UNREADABLE, 6, 6)), torn.problems());
        assertEquals(5, torn.records());
    }

    @Test
    void aBlankedLineDoesNotHideTheRecordsAfterIt() throws Exception {
        // readers end at the first blank line: on its own the file would verify as its first two records
        VerifyResult result = AuditVerifier.verifyJournal(backup(r -> r.set(2, "")));
        assertEquals(List.of(problem(VerifyResult.JOURNAL_AFTER_END, 3, 4)), result.problems());
    }

    @Test
    void noSuchFileIsAnError() {
        assertThrows(NoSuchFileException.class, () -> AuditVerifier.verifyJournal(backups.resolve("none.ndjson")));
    }
}
