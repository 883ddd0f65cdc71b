package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuditJournalTest {
    @TempDir
    Path dir;

    private Path journalOf(int records, String tail) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int seq = 1; seq <= records; seq++) {
            // long enough that the backwards scan crosses its 64 KiB chunks
            text.append("{\"hash\":\"h").append(seq).append("\",\"seq\":").append(seq).append(",\"pad\":\"").append("x".repeat(700)).append("\"}\n");
        }
        text.append(tail);
        Path file = dir.resolve("audit.ndjson");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** The seqs of the lines read, -1 for a line that is not a record. */
    private static List<Long> seqs(AuditJournal.JournalReader reader) throws Exception {
        List<Long> seqs = new ArrayList<>();
        try (reader) {
            for (AuditJournal.JournalReader.Line line; (line = reader.nextLine()) != null; ) {
                seqs.add(line.record() == null ? -1L : line.record().get("seq").asLong());
            }
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
    void aTornLastLineIsNotOneOfTheRecordsCounted() throws Exception {
        Path file = journalOf(5, "{\"seq\":6,\"pad\":\"to");
        assertEquals(List.of(4L, 5L, -1L), seqs(AuditJournal.readerOfLast(file, 2)));
    }

    @Test
    void aLineThatIsNotARecordIsHandedOutAsSuchAndTheRecordsAfterItAreRead() throws Exception {
        Path file = crashed(5, "");
        JournalFiles.editLine(file, 3, line -> "X" + line.substring(1));
        assertEquals(List.of(1L, 2L, -1L, 4L, 5L), seqs(AuditJournal.reader(file)));
    }

    @Test
    void aLineLongerThanAnyRecordIsNotOneAndIsNotKeptWhole() throws Exception {
        Path file = crashed(2, "x".repeat(3 * AuditJournal.MAX_WRITE) + "\n" + record(3) + "\n");
        assertEquals(List.of(1L, 2L, -1L, 3L), seqs(AuditJournal.reader(file)));
    }

    @Test
    void readingOnFromWhereTheRecordsEndedSeesWhatWasJournaledSince() throws Exception {
        Path file = dir.resolve("audit.ndjson");
        try (AuditJournal journal = new AuditJournal(file, 4096)) {
            journal.open();
            journal.append(records(1, 3));
            AuditJournal.JournalReader first = AuditJournal.reader(file);
            assertEquals(List.of(1L, 2L, 3L), seqs(first));
            long end = first.endOffset();
            assertEquals((String.join("\n", records(1, 3)) + "\n").length(), end, "the padding starts there");
            journal.append(records(4, 5));
            assertEquals(List.of(4L, 5L), seqs(AuditJournal.readerFrom(file, end)));
        }
    }

    @Test
    void anEmptyJournalHasNoRecords() throws Exception {
        assertEquals(List.of(), seqs(AuditJournal.readerOfLast(journalOf(0, ""), 10)));
    }

    // --- preallocation and what a crash can leave (records with the seq and hash open() needs) ---

    private static String record(long seq) {
        return "{\"hash\":\"h" + seq + "\",\"pad\":\"" + "y".repeat(200) + "\",\"seq\":" + seq + "}";
    }

    private static List<String> records(long from, long to) {
        List<String> lines = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) lines.add(record(seq));
        return lines;
    }

    /** Records 1..n, then {@code after}, then newline padding, as a preallocated journal after a crash. */
    private Path crashed(int n, String after) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String line : records(1, n)) text.append(line).append('\n');
        text.append(after).append("\n".repeat(5000));
        Path file = dir.resolve("audit.ndjson");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private List<Path> tornFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("audit.ndjson.torn-")).toList();
        }
    }

    private static long openedAt(Path file) throws Exception {
        try (AuditJournal journal = new AuditJournal(file, 4096)) {
            ObjectNode last = journal.open();
            return last == null ? 0 : last.get("seq").asLong();
        }
    }

    @Test
    void recordsOverwriteThePaddingAheadOfThemAndReopenAfterTheLast() throws Exception {
        Path file = dir.resolve("audit.ndjson");
        try (AuditJournal journal = new AuditJournal(file, 4096)) {
            assertNull(journal.open());
            assertEquals(4096, Files.size(file), "a new journal is padded ahead at once");
            journal.append(records(1, 3));
            assertEquals(4096, Files.size(file), "records went into the padding, the file did not grow");
        }
        assertEquals(3, openedAt(file));
        try (AuditJournal journal = new AuditJournal(file, 4096)) {
            journal.open();
            journal.append(records(4, 4));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L), seqs(AuditJournal.reader(file)));
        assertEquals(List.of(3L, 4L), seqs(AuditJournal.readerOfLast(file, 2)));
        assertEquals(List.of(), tornFiles());
        // what jq and grep see: the records, then whitespace
        List<String> lines = Files.readAllLines(file);
        assertEquals(records(1, 4), lines.subList(0, 4));
        assertTrue(lines.subList(4, lines.size()).stream().allMatch(String::isEmpty));
    }

    @Test
    void growsAheadOfItsRecordsWhenThePaddingRunsLow() throws Exception {
        Path file = dir.resolve("audit.ndjson");
        try (AuditJournal journal = new AuditJournal(file, 4096)) {
            journal.open();
            for (long seq = 1; seq <= 60; seq++) {
                journal.append(records(seq, seq)); // ~230 bytes each: 14 000 in all
                journal.preallocateAhead();
                long size = Files.size(file);
                assertTrue(size >= 230 * seq + 2048, "at least half a preallocation ahead after record " + seq + ": " + size);
            }
            journal.append(records(61, 100)); // one append larger than what is left: grows first
        }
        assertEquals(100, openedAt(file));
        assertEquals(100, seqs(AuditJournal.reader(file)).size());
    }

    @Test
    void aLineTornOverThePaddingIsSetAsideAndTheNextRecordTakesItsPlace() throws Exception {
        Path file = crashed(5, "{\"hash\":\"h6\",\"pad\":\"yyy");
        try (AuditJournal journal = new AuditJournal(file, 4096)) {
            assertEquals(5, journal.open().get("seq").asLong());
            journal.append(records(6, 6));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seqs(AuditJournal.reader(file)));
        List<Path> torn = tornFiles();
        assertEquals(1, torn.size());
        assertEquals("{\"hash\":\"h6\",\"pad\":\"yyy", Files.readString(torn.get(0)));
    }

    @Test
    void aRecordAfterAGapIsPartOfATornWriteAndIsSetAside() throws Exception {
        // the write of records 6 and 7 reached the disk only in its second block
        Path file = crashed(5, "\n".repeat(600) + record(7) + "\n");
        assertEquals(5, openedAt(file));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(AuditJournal.reader(file)));
        assertEquals(record(7), Files.readString(tornFiles().get(0)).strip());
    }

    @Test
    void wholeRecordsRightAfterTheLastAreKeptAndAFragmentAfterThemIsNot() throws Exception {
        Path file = crashed(5, record(6) + "\n" + "ad\":\"yyyy\",\"seq\":7}");
        assertEquals(6, openedAt(file));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seqs(AuditJournal.reader(file)));
        assertEquals(1, tornFiles().size());
    }

    @Test
    void zerosAfterTheRecordsArePaddingToo() throws Exception {
        Path file = dir.resolve("audit.ndjson");
        StringBuilder text = new StringBuilder();
        for (String line : records(1, 3)) text.append(line).append('\n');
        Files.writeString(file, text + "\0".repeat(3000), StandardCharsets.UTF_8);
        assertEquals(3, openedAt(file));
        assertEquals(List.of(), tornFiles());
        try (AuditJournal journal = new AuditJournal(file, 4096)) {
            journal.open();
            journal.append(records(4, 4));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L), seqs(AuditJournal.reader(file)));
    }

    @Test
    void aJournalFromBeforePreallocationOpensAndIsPaddedFromThen() throws Exception {
        Path file = journalOf(0, "");
        Files.writeString(file, String.join("\n", records(1, 4)) + "\n" + "{\"hash\":\"h5", StandardCharsets.UTF_8);
        assertEquals(4, openedAt(file));
        assertEquals(List.of(1L, 2L, 3L, 4L), seqs(AuditJournal.reader(file)));
        assertEquals("{\"hash\":\"h5", Files.readString(tornFiles().get(0)));
        assertTrue(Files.size(file) >= 4096);
    }

    @Test
    void moreAfterTheLastRecordThanOneAppendWritesIsRefusedAndLeftAsItIs() throws Exception {
        Path file = crashed(5, "x".repeat(AuditJournal.MAX_WRITE + 10));
        byte[] before = Files.readAllBytes(file);
        assertThrows(java.io.IOException.class, () -> openedAt(file));
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(), tornFiles());
    }

    @Test
    void readerOfLastCountsFromTheRecordsNotFromThePadding() throws Exception {
        Path file = crashed(5, "");
        assertEquals(List.of(4L, 5L), seqs(AuditJournal.readerOfLast(file, 2)));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(AuditJournal.readerOfLast(file, 100)));
    }

    @Test
    void withoutPreallocationEachRecordGrowsTheFileAndNothingElseIsWritten() throws Exception {
        Path file = dir.resolve("audit.ndjson");
        try (AuditJournal journal = new AuditJournal(file, 0)) {
            assertNull(journal.open());
            journal.append(records(1, 3));
            journal.preallocateAhead();
        }
        assertEquals((String.join("\n", records(1, 3)) + "\n").length(), Files.size(file));
        try (AuditJournal journal = new AuditJournal(file, 0)) {
            assertEquals(3, journal.open().get("seq").asLong());
            journal.append(records(4, 4));
        }
        assertEquals(String.join("\n", records(1, 4)) + "\n", Files.readString(file));
    }

    /**
     * A disk that fails after the record's bytes landed — its fsync, then the padding meant to cover
     * them (a file system gone read-only fails both): the journal takes no record while those bytes
     * are there, and pads them over (cuts them off, without preallocation) as soon as it can write
     * again, so a shorter append after it leaves none of them behind. Before, the journal refused every
     * append until the node restarted.
     */
    @ParameterizedTest(name = "preallocation={0}")
    @ValueSource(ints = {4096, 0})
    void aFailedAppendThatCouldNotBePaddedOverIsOnceTheDiskTakesWritesAgain(int preallocation) throws Exception {
        Path file = dir.resolve("audit.ndjson");
        // operations that succeed before every one fails; -1: all succeed
        java.util.concurrent.atomic.AtomicInteger allowed = new java.util.concurrent.atomic.AtomicInteger(-1);
        java.util.function.BooleanSupplier failing = () -> {
            int left = allowed.get();
            if (left < 0) return false;
            if (left == 0) return true;
            allowed.set(left - 1);
            return false;
        };
        try (AuditJournal journal = JournalFaults.failingWhile(file, preallocation, failing)) {
            assertNull(journal.open());
            journal.append(records(1, 2));
            allowed.set(1); // the next write lands, then nothing more does
            assertThrows(java.io.IOException.class, () -> journal.append(records(3, 5)));
            assertTrue(Files.readString(file).contains(record(5)), "the failed append's bytes are still there");
            java.io.IOException refused = assertThrows(java.io.IOException.class, () -> journal.append(records(3, 3)));
            assertTrue(refused.getMessage().contains("still cannot be padded over"), refused.getMessage());
            assertThrows(java.io.IOException.class, journal::checkWritable);
            allowed.set(-1);
            journal.checkWritable();
            assertFalse(Files.readString(file).contains(record(3)), "padded over (cut off) once the disk took writes again");
            journal.checkWritable(); // writes only padding: changes nothing that reads see
            journal.append(records(3, 3));
        }
        assertEquals(List.of(1L, 2L, 3L), seqs(AuditJournal.reader(file)));
        assertEquals(3, openedAt(file));
        assertEquals(List.of(), tornFiles());
    }
}
