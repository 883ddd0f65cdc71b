package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.platewarden.core.config.SearchConfig;
import org.platewarden.core.io.LockFile;
import org.platewarden.core.io.PrivateDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's local copy of its audit chain: one canonical JSON record per line, fsynced before the
 * record is indexed. It is what the chain head is recovered from, what a record missing from the
 * index is re-sent from, and what verify compares the index against. Never rotated or deleted.
 * Not thread-safe: only the audit writer thread appends; readers open their own handle. Between
 * {@link #open} and {@link #close} the writer holds {@code <journal>.lock} ({@link LockFile}): a
 * second node with the same node_id and data dir is refused at start-up.
 *
 * <p><b>Preallocated.</b> The file is kept {@value #DEFAULT_PREALLOCATION} bytes ahead of its
 * records, filled with newlines, and records overwrite that padding. Appending to a file's end
 * made every fsync also commit the new size to the file system's journal (ext4), which under
 * Elasticsearch's own writes was the slowest 5 % of searches' largest cost (eighteenth session,
 * docs/benchmarks.md); overwriting blocks already written needs only the data flushed. Newlines
 * are JSON whitespace: {@code jq}, {@code grep} and NDJSON readers that skip blank lines read the
 * file as before, and the records end at the first blank line.
 *
 * <p><b>What a crash can leave.</b> Each append is one positional write and one fsync of at most
 * {@value #MAX_WRITE} bytes, so only the last append can be torn, and overwritten blocks may land
 * in any order: after the last intact record there can be parts of records, whole records after a
 * gap, or zeros. {@link #open} keeps the records up to the first blank or unparseable line among
 * the last {@link #TORN_WINDOW} bytes, copies what follows to a side file for inspection, and pads
 * it over. Those bytes are usually a write a crash tore, never acknowledged; but a last record
 * damaged since it was written (acknowledged, and in the index) looks the same, so the log does
 * not claim either (start-up then takes such a record back from the index: {@link ChainedAuditLog}).
 * More than one append's worth after the last intact record is not a torn write, and open refuses
 * to start rather than cut it.
 *
 * <p><b>A failed append</b> is padded over again (or cut off, without preallocation) before the call
 * throws, so none of its lines stays behind. When that fails too (a file system gone read-only fails
 * both), the journal takes no record until it has: each later append, and {@link #checkWritable},
 * tries it first, so the journal takes records again once the disk takes writes, without a restart.
 *
 * <p>Not final only so that tests can make an append fail, or give it a channel that fails
 * ({@link ChainedAuditLog}'s handling of a failed journal write, the node's readiness).
 */
public class AuditJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditJournal.class);
    private static final int CHUNK = 64 * 1024;
    private static final byte PAD = '\n';
    /** How far ahead of its records the file is filled with newlines. */
    public static final int DEFAULT_PREALLOCATION = SearchConfig.DEFAULT_AUDIT_JOURNAL_PREALLOCATE;
    /** The most one append writes before its fsync; also the largest record line. */
    static final int MAX_WRITE = 1 << 20;
    /** What a torn append can leave after the last intact record (a write and the record line it tore into). */
    static final int TORN_WINDOW = 2 * MAX_WRITE;

    private final Path file;
    private final int preallocation;
    /** Held from open to close: one writer per journal. */
    private LockFile lock;
    private FileChannel channel;
    /**
     * Where the bytes of a failed append begin that could not be padded over (or cut off) yet: -1
     * when there are none. Until they are, nothing is appended ({@link #undoFailedAppend}).
     */
    private long undoFrom = -1;
    /** Where those bytes may end (exclusive). */
    private long undoTo;
    /** Where the next record goes: just after the last one. */
    private long end;
    /** The file's size: records, then newlines up to here. */
    private long allocated;

    public AuditJournal(Path file) {
        this(file, DEFAULT_PREALLOCATION);
    }

    /** @param preallocation bytes of newlines kept ahead of the records; 0 = append, the file growing with each record */
    public AuditJournal(Path file, int preallocation) {
        if (preallocation < 0 || preallocation == 1) throw new IllegalArgumentException("preallocation " + preallocation);
        this.file = file;
        this.preallocation = preallocation;
    }

    /** {@code <data_dir>/audit/audit-<node_id>.ndjson} (node id restricted to file-name-safe characters). */
    public static Path pathFor(Path dataDir, String nodeId) {
        return dataDir.resolve("audit").resolve("audit-" + nodeId.replaceAll("[^A-Za-z0-9._-]", "_") + ".ndjson");
    }

    public Path file() {
        return file;
    }

    /** {@code <journal>.lock}, the file whose lock the journal's writer holds. */
    public static Path lockFileOf(Path journal) {
        return journal.resolveSibling(journal.getFileName() + ".lock");
    }

    /**
     * Opens for writing and returns the last record (null for an empty journal). What follows the
     * last intact record — a torn last append, or a last record damaged since — is copied to
     * {@code <journal>.torn-<millis>} and padded over. Journals written before preallocation
     * (records up to the file's end) open the same way.
     */
    public ObjectNode open() throws IOException {
        PrivateDirectory.create(file.getParent());
        lock();
        try {
            return openLocked();
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    /**
     * Takes the journal's lock, or refuses: two writers would each continue the chain from the
     * same last record and write the same seqs, a fork that verify reports for good.
     */
    private void lock() throws IOException {
        lock = LockFile.acquire(lockFileOf(file), heldMessage(file));
    }

    /**
     * Refuses at once ({@link LockFile.HeldException}, the message {@link #open} would give) when
     * another writer holds {@code journal}: a node checks before it starts anything, since its
     * search role opens the journal only once Elasticsearch answers. The lock is let go again.
     */
    public static void requireFree(Path journal) throws IOException {
        PrivateDirectory.create(journal.getParent());
        LockFile.acquire(lockFileOf(journal), heldMessage(journal)).close();
    }

    private static String heldMessage(Path journal) {
        return "audit journal " + journal + " is in use by another process: a node with the same node_id and data dir holds "
                + lockFileOf(journal).getFileName() + "; stop it first, or give this node its own node_id or data dir";
    }

    private ObjectNode openLocked() throws IOException {
        channel = openChannel(file);
        allocated = channel.size();
        long contentEnd = contentEnd(channel, allocated);
        long readFrom = Math.max(0, contentEnd - TORN_WINDOW - MAX_WRITE);
        byte[] tail = new byte[(int) (contentEnd - readFrom)];
        readFully(channel, ByteBuffer.wrap(tail), readFrom);
        boolean lastLineEnded = contentEnd < allocated && byteAt(channel, contentEnd) == '\n';
        long intact = TornTail.intactEnd(tail, readFrom == 0, Math.max(0, contentEnd - TORN_WINDOW) - readFrom, lastLineEnded);
        if (intact < 0) throw new IOException("audit journal " + file + ": a record line longer than " + MAX_WRITE + " bytes");
        long intactEnd = readFrom + intact;
        // one append writes at most MAX_WRITE bytes: more than that after the last intact record is
        // not what a crash leaves, and cutting it could cut acknowledged records
        if (contentEnd - intactEnd > MAX_WRITE) {
            throw new IOException("audit journal " + file + " has " + (contentEnd - intactEnd) + " bytes after its last intact"
                    + " record at byte " + intactEnd + ", more than a torn write leaves: inspect it; it was left as it is");
        }
        if (intactEnd < contentEnd) setAsideTornTail(intactEnd, contentEnd);
        end = intactEnd;
        ObjectNode last = end == 0 ? null : lastRecord(tail, readFrom);
        try {
            preallocateAhead();
        } catch (IOException e) {
            // not fatal: records still fit in whatever padding there is (even on a full disk), and an
            // append that finds none grows the file itself, or fails its records
            LOG.warn("audit journal {}: preallocating ahead failed ({}); appends will try again", file, e.toString());
        }
        return last;
    }

    /** The channel the journal is read and written through: the file's own (tests give one that fails when they say). */
    protected FileChannel openChannel(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** The record whose newline is the byte before {@link #end}, from the journal's {@code tail} read at {@code readFrom}. */
    private ObjectNode lastRecord(byte[] tail, long readFrom) throws IOException {
        int newline = (int) (end - 1 - readFrom);
        int lineStart = TornTail.lineStartBefore(tail, newline);
        if (lineStart < 0 && readFrom > 0) throw new IOException("audit journal " + file + ": record line longer than " + MAX_WRITE);
        ObjectNode last = TornTail.record(tail, Math.max(0, lineStart), newline);
        if (last == null) throw new IOException("audit journal " + file + " ends with a line that is not an audit record");
        return last;
    }

    private void setAsideTornTail(long from, long to) throws IOException {
        byte[] torn = new byte[(int) (to - from)];
        readFully(channel, ByteBuffer.wrap(torn), from);
        Path aside = file.resolveSibling(file.getFileName() + ".torn-" + System.currentTimeMillis());
        try (FileChannel out = FileChannel.open(aside, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(out, ByteBuffer.wrap(torn), 0);
            out.force(true);
        }
        // a write a crash tore (never acknowledged) and a record damaged after it was acknowledged
        // look alike here: say what is known, not which
        LOG.warn("audit journal {}: {} unreadable bytes after the last intact record (at byte {}) copied to {} and padded over:"
                + " what a crash left of a write it tore, or a record damaged since it was written", file, torn.length, from, aside);
        pad(from, Math.min(allocated, to + 1));
        channel.force(false);
    }

    /**
     * Appends the lines and fsyncs, in writes of at most {@value #MAX_WRITE} bytes; on failure the
     * whole call's lines are padded over again, so none of them stays behind (if that fails too, the
     * next call pads them over before it writes, or fails).
     */
    public void append(List<String> lines) throws IOException {
        requireWritable();
        long before = end;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String line : lines) {
                byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
                if (bytes.length > MAX_WRITE) throw new IOException("audit record of " + bytes.length + " bytes (at most " + MAX_WRITE + ")");
                if (out.size() + bytes.length > MAX_WRITE) {
                    write(out.toByteArray());
                    out.reset();
                }
                out.write(bytes);
            }
            if (out.size() > 0) write(out.toByteArray());
        } catch (IOException | RuntimeException e) {
            undoFrom = before;
            undoTo = Math.max(end, before) + MAX_WRITE;
            try {
                undoFailedAppend();
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    /** Open, and no failed append's bytes left that could not be padded over: pads them over first (or fails). */
    private void requireWritable() throws IOException {
        if (channel == null) throw new IOException("audit journal " + file + " is not open");
        if (undoFrom < 0) return;
        try {
            undoFailedAppend();
        } catch (IOException e) {
            throw new IOException("audit journal " + file + " is not writable: the bytes of a failed write at byte " + undoFrom
                    + " still cannot be padded over (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Pads over (cuts off, without preallocation) what a failed append may have written from
     * {@link #undoFrom}, fsyncs, and puts the end of the records back there.
     */
    private void undoFailedAppend() throws IOException {
        if (preallocation == 0) channel.truncate(undoFrom);
        else pad(undoFrom, Math.min(allocated, undoTo));
        channel.force(false);
        end = undoFrom;
        allocated = channel.size();
        undoFrom = -1;
    }

    /**
     * Writes and fsyncs without adding a record, to learn whether the journal takes writes: pads over
     * a failed append's bytes if that failed before, else writes the newline after the last record
     * again (padding that is there already; without preallocation, a newline that the next record
     * overwrites). The writer calls it while idle after a write failed ({@link ChainedAuditLog}).
     *
     * @throws IOException when the journal still cannot be written
     */
    public void checkWritable() throws IOException {
        boolean undone = undoFrom >= 0;
        requireWritable();
        if (undone) return;
        writeFully(channel, ByteBuffer.wrap(new byte[] {PAD}), end);
        channel.force(false);
        allocated = Math.max(allocated, end + 1);
    }

    private void write(byte[] bytes) throws IOException {
        if (preallocation > 0 && end + bytes.length > allocated) extendTo(end + bytes.length + preallocation);
        writeFully(channel, ByteBuffer.wrap(bytes), end);
        channel.force(false);
        end += bytes.length;
        allocated = Math.max(allocated, end);
    }

    /**
     * Keeps the file at least half a preallocation ahead of its records. The writer calls it after
     * answering a batch, so the searches of that batch do not wait for it.
     */
    public void preallocateAhead() throws IOException {
        if (undoFrom >= 0 || channel == null || preallocation == 0) return;
        if (allocated - end < preallocation / 2) extendTo(end + preallocation);
    }

    private void extendTo(long size) throws IOException {
        if (size <= allocated) return;
        pad(allocated, size);
        channel.force(false);
        allocated = size;
    }

    /** Writes newlines over [from, to). */
    private void pad(long from, long to) throws IOException {
        byte[] newlines = new byte[(int) Math.min(CHUNK, Math.max(0, to - from))];
        Arrays.fill(newlines, PAD);
        for (long pos = from; pos < to; pos += newlines.length) {
            writeFully(channel, ByteBuffer.wrap(newlines, 0, (int) Math.min(newlines.length, to - pos)), pos);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) pos += channel.write(buffer, pos);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, pos);
            if (n < 0) throw new IOException("unexpected end of file at " + pos);
            pos += n;
        }
    }

    private static byte byteAt(FileChannel channel, long position) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        readFully(channel, one, position);
        return one.get(0);
    }

    /** Reads the journal front to back (own file handle; safe next to the writer). */
    public static JournalReader reader(Path file) throws IOException {
        return readerFrom(file, 0);
    }

    /**
     * Reads the journal from byte {@code offset} on, e.g. from where an earlier reader found its
     * end ({@link JournalReader#endOffset}) to see what has been journaled since.
     */
    public static JournalReader readerFrom(Path file, long offset) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        channel.position(offset);
        return new JournalReader(Channels.newInputStream(channel), offset);
    }

    /**
     * Reads the journal's last {@code records} lines (all of it if it has fewer), front to back,
     * without reading what comes before them: the journal is never rotated, and start-up should
     * not cost a pass over years of searches. Own file handle, like {@link #reader}.
     */
    public static JournalReader readerOfLast(Path file, long records) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long start = startOfLastLines(channel, records);
            channel.position(start);
            return new JournalReader(Channels.newInputStream(channel), start);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Where the last {@code records} complete lines begin: after the (records + 1)-th newline from the end, or 0. */
    static long startOfLastLines(FileChannel channel, long records) throws IOException {
        long size = channel.size();
        long contentEnd = contentEnd(channel, size);
        // a last line without its newline (torn, or being written) is not one of the records
        long limit = contentEnd < size && byteAt(channel, contentEnd) == '\n' ? contentEnd + 1 : contentEnd;
        return newlineBefore(channel, limit, records + 1) + 1;
    }

    /** Just after the last byte before {@code size} that is neither padding (newline) nor zero, or 0. */
    static long contentEnd(FileChannel channel, long size) throws IOException {
        return backwards(channel, size, b -> !TornTail.isPadding(b), 1) + 1;
    }

    /** The position of the {@code nth} newline counted back from {@code limit} (exclusive), or -1. */
    private static long newlineBefore(FileChannel channel, long limit, long nth) throws IOException {
        return backwards(channel, limit, b -> b == '\n', nth);
    }

    /** The position of the {@code nth} byte before {@code limit} (exclusive) that {@code matches}, counting back, or -1. */
    private static long backwards(FileChannel channel, long limit, BytePredicate matches, long nth) throws IOException {
        long pos = limit;
        long seen = 0;
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        while (pos > 0) {
            int n = (int) Math.min(CHUNK, pos);
            buf.clear().limit(n);
            readFully(channel, buf, pos - n);
            for (int i = n - 1; i >= 0; i--) {
                if (matches.test(buf.get(i)) && ++seen == nth) return pos - n + i;
            }
            pos -= n;
        }
        return -1;
    }

    private interface BytePredicate {
        boolean test(byte b);
    }

    /** Closes the file and releases its lock. */
    @Override
    public void close() throws IOException {
        try {
            if (channel != null) channel.close();
        } finally {
            channel = null;
            if (lock != null) lock.close();
            lock = null;
        }
    }

    /**
     * Forward iteration over the journal's lines up to the padding (the first blank line, or the
     * end of the file). A line that is not a record is handed out as such, never taken for the end:
     * what follows it may be records still. Only the caller can tell whether such a line is
     * damaged or, the last one, still being written.
     */
    public static final class JournalReader implements AutoCloseable {
        private final InputStream in;
        private final byte[] buffer = new byte[CHUNK];
        private int pos;
        private int limit;
        /** The file offset of {@code buffer[pos]}. */
        private long offset;
        private long endOffset = -1;

        JournalReader(InputStream in, long offset) {
            this.in = in;
            this.offset = offset;
        }

        /** One line: where it starts in the file, and its record, or null if the line is not one. */
        public record Line(long offset, ObjectNode record) {
        }

        /** The next line, or null at the end: the file's, or the first blank line (padding). */
        public Line nextLine() throws IOException {
            if (endOffset >= 0) return null;
            long start = offset;
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean tooLong = false;
            while (pos < limit || fill()) {
                int newline = pos;
                while (newline < limit && buffer[newline] != '\n') newline++;
                // no record is longer than one write: a longer line is not one, however much of it there is
                tooLong |= line.size() + (newline - pos) > MAX_WRITE;
                if (!tooLong) line.write(buffer, pos, newline - pos);
                boolean ended = newline < limit;
                offset += newline - pos + (ended ? 1 : 0);
                pos = ended ? newline + 1 : limit;
                if (ended) break;
            }
            byte[] bytes = line.toByteArray();
            if (tooLong) return new Line(start, null);
            if (isBlank(bytes)) {
                endOffset = start;
                return null;
            }
            return new Line(start, TornTail.record(bytes, 0, bytes.length));
        }

        /** Where the reader found the end (-1 before it did): what is journaled after that is written from there. */
        public long endOffset() {
            return endOffset;
        }

        private boolean fill() throws IOException {
            int n = in.read(buffer);
            pos = 0;
            limit = Math.max(0, n);
            return n > 0;
        }

        private static boolean isBlank(byte[] line) {
            for (byte b : line) {
                if (!TornTail.isPadding(b)) return false;
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
