package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * This node's journal as {@link AuditVerifier} reads it, front to back alongside the index's
 * chain. It checks the journal's own chain as it goes — each record is the hash of its content,
 * seqs follow each other, each prev_hash is the previous record's hash — so that a record edited in
 * the journal, or a line taken out of it, is found even where no index record disagrees; and it
 * hands the comparison with the index the journal's record at a seq.
 *
 * <p>A line that is not a record is reported with its line number and the seq it should hold, and
 * reading goes on past it: taken for the journal's end, it left every later record compared with
 * nothing, so that an index rewritten from there on verified. Only the last line can be one still
 * being written; it is reported only if it still is not a record when the tail is read again.
 * A journal whose first record is not seq 1 is reported as missing seq 1, once: its first lines
 * were taken out, and nothing else shows it — the index's records below the journal's first have
 * nothing to be compared with. (Start-up writes a lost journal anew from seq 1, taking the index's
 * records; only one begun by a release before that starts later.)
 */
final class JournalCheck implements AutoCloseable {
    /** The journal's record at a seq: its line, and whether it passed the journal's own checks. */
    record Entry(ObjectNode doc, long line, boolean sound) {
        String hash() {
            return doc.path(AuditDocument.HASH).asText();
        }
    }

    /** The last unreadable line read: damaged, unless nothing follows it and it is being written. */
    private record Unreadable(long line, long offset, long seq) {
    }

    private final Path file;
    private final String nodeId;
    private final AuditVerifier.Problems problems;
    private AuditJournal.JournalReader reader;
    /** Records read and checked (whether they passed or not). */
    private long records;
    private long lineNumber;
    private Entry next;
    private boolean ended;
    private long lastSeq;
    private ChainHead head;
    private String lastHash = AuditDocument.GENESIS_HASH;
    private boolean lastSound = true;
    /** Unreadable lines since the last record. */
    private long unreadable;
    private Unreadable pending;

    JournalCheck(Path file, String nodeId, AuditVerifier.Problems problems) throws IOException {
        this.file = file;
        this.nodeId = nodeId;
        this.problems = problems;
        this.reader = AuditJournal.reader(file);
        advance();
    }

    /** The journal's record at {@code seq}, or null if it holds none there (or none that can be read). */
    Entry at(long seq) throws IOException {
        while (next != null && next.doc().path(AuditDocument.SEQ).asLong() < seq) advance();
        return next != null && next.doc().path(AuditDocument.SEQ).asLong() == seq ? next : null;
    }

    /** The seq the journal's next line should hold: one past its last line, an unreadable one included. */
    long nextSeq() {
        return lastSeq + unreadable + 1;
    }

    /** Whether the journal, as read so far, ends before {@code seq}: it holds nothing at or after it. */
    boolean endsBefore(long seq) {
        return ended && seq >= nextSeq();
    }

    /** Whether the journal's last line read is not a record (damaged, or still being written). */
    boolean tailUnreadable() {
        return pending != null;
    }

    /** The records read so far (each checked as it was read). */
    /** The last record read (null before the first). */
    ChainHead head() {
        return head;
    }

    long records() {
        return records;
    }

    /** Reads on to the journal's end. */
    void drain() throws IOException {
        while (advance()) {
            // each record is checked as it is read
        }
    }

    /**
     * Reads on from where the journal ended, to see what has been journaled since: records are
     * written over the padding from there, and a last line that was not a record is read again.
     */
    void reread() throws IOException {
        if (!ended) return;
        long from = reader.endOffset();
        if (pending != null) {
            from = pending.offset();
            lineNumber = pending.line() - 1;
            unreadable--;
            pending = null;
        }
        reader.close();
        reader = AuditJournal.readerFrom(file, from);
        ended = false;
        advance();
    }

    /**
     * For a file checked on its own: reports anything but padding after the journal's end (its first
     * blank line) as {@link VerifyResult#JOURNAL_AFTER_END}, at the line where it starts. The
     * running node's verify compares the index instead, which holds the records such a line cut
     * off; on its own, a file whose middle line was blanked would otherwise verify as the records
     * before it. Call once the journal is read to its end.
     */
    void reportContentAfterEnd() throws IOException {
        long end = reader.endOffset();
        if (end < 0) return;
        long line = lineNumber + 1; // the blank line where reading ended
        try (java.io.InputStream in = new java.io.BufferedInputStream(java.nio.channels.Channels.newInputStream(
                java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ).position(end)))) {
            for (int b; (b = in.read()) >= 0; ) {
                if (!TornTail.isPadding((byte) b)) {
                    problems.add(new VerifyResult.Broken(null, nextSeq(), nodeId, VerifyResult.JOURNAL_AFTER_END, line));
                    return;
                }
                if (b == '\n') line++;
            }
        }
    }

    /** Reports the last line as unreadable if it is: called once the tail has had time to be written. */
    void reportTail() {
        if (pending != null) report(pending);
        pending = null;
    }

    /** Reads on to the next record and checks it; false at the journal's end (or once enough problems are found). */
    private boolean advance() throws IOException {
        next = null;
        while (!ended && !problems.full()) {
            AuditJournal.JournalReader.Line line = reader.nextLine();
            if (line == null) {
                ended = true;
                return false;
            }
            lineNumber++;
            reportTail(); // a line follows it: not one being written
            if (line.record() == null) {
                unreadable++;
                pending = new Unreadable(lineNumber, line.offset(), nextSeq() - 1);
                continue;
            }
            next = new Entry(line.record(), lineNumber, checkChain(line.record()));
            records++; // after its check: a problem found in it counts the records before it
            return true;
        }
        return false;
    }

    /** Checks a record against itself and the record before it; true if it passed. */
    private boolean checkChain(ObjectNode doc) {
        long seq = doc.path(AuditDocument.SEQ).asLong();
        String auditId = doc.path(AuditDocument.AUDIT_ID).asText(null);
        boolean sound = true;
        if (!AuditDocument.hashOf(doc).equals(doc.path(AuditDocument.HASH).asText())) {
            problem(auditId, seq, VerifyResult.JOURNAL_EDITED, doc);
            sound = false;
        } else if (!nodeId.equals(doc.path(AuditDocument.NODE_ID).asText())) {
            // sound on its own and linked, yet not of this chain: start-up would have re-sent it to
            // the index as that node's record, and the index's chain of this node shows only a gap
            problem(auditId, seq, VerifyResult.JOURNAL_OTHER_NODE, doc);
            sound = false;
        }
        long expected = nextSeq();
        if (seq < expected) {
            // a second record at a seq already read: the journal forks here
            problem(auditId, seq, VerifyResult.JOURNAL_BROKEN_LINK, doc);
            return false;
        }
        if (seq > expected) {
            problem(null, expected, VerifyResult.JOURNAL_MISSING, null);
        } else if (unreadable == 0 && lastSound && !doc.path(AuditDocument.PREV_HASH).asText().equals(lastHash)) {
            // after a record already reported (or an unreadable line) the link says nothing new
            problem(auditId, seq, VerifyResult.JOURNAL_BROKEN_LINK, doc);
            sound = false;
        }
        lastSeq = seq;
        lastHash = doc.path(AuditDocument.HASH).asText();
        lastSound = sound;
        head = ChainHead.of(doc);
        unreadable = 0;
        return sound;
    }

    /** A problem of the journal's record {@code doc} (null: no record), said to be of the agency it names. */
    private void problem(String auditId, long seq, String problem, ObjectNode doc) {
        problems.add(new VerifyResult.Broken(auditId, seq, nodeId, problem, lineNumber).withAgency(doc == null ? null : AuditVerifier.agencyNamed(doc)));
    }

    private void report(Unreadable line) {
        problems.add(new VerifyResult.Broken(null, line.seq(), nodeId, VerifyResult.JOURNAL_UNREADABLE, line.line()));
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
