package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditJournalTest {
    @TempDir
    Path dir;

    private Path journalOf(int records, String tail) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int seq = 1; seq <= records; seq++) {
            // long enough that the backwards scan crosses its 64 KiB chunks
            text.append("{\"seq\":").append(seq).append(",\"pad\":\"").append("x".repeat(700)).append("\"}\n");
        }
        text.append(tail);
        Path file = dir.resolve("audit.ndjson");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static List<Long> seqs(AuditJournal.JournalReader reader) throws Exception {
        List<Long> seqs = new ArrayList<>();
        try (reader) {
            for (ObjectNode doc; (doc = reader.next()) != null; ) seqs.add(doc.get("seq").asLong());
        }
        return seqs;
    }

    @Test
    void readsOnlyTheLastLinesAcrossChunks() throws Exception {
        Path file = journalOf(300, "");
        assertEquals(List.of(201L, 202L), seqs(AuditJournal.readerOfLast(file, 100)).subList(0, 2));
        assertEquals(100, seqs(AuditJournal.readerOfLast(file, 100)).size());
        assertEquals(List.of(300L), seqs(AuditJournal.readerOfLast(file, 1)));
    }

    @Test
    void askingForMoreThanThereIsReadsItAll() throws Exception {
        Path file = journalOf(5, "");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(AuditJournal.readerOfLast(file, 4096)));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(AuditJournal.readerOfLast(file, 5)));
        assertEquals(List.of(), seqs(AuditJournal.readerOfLast(file, 0)));
    }

    @Test
    void aTornLastLineIsNotOneOfTheRecords() throws Exception {
        Path file = journalOf(5, "{\"seq\":6,\"pad\":\"to");
        assertEquals(List.of(4L, 5L), seqs(AuditJournal.readerOfLast(file, 2)));
    }

    @Test
    void anEmptyJournalHasNoRecords() throws Exception {
        assertEquals(List.of(), seqs(AuditJournal.readerOfLast(journalOf(0, ""), 10)));
    }
}
