package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's local copy of its audit chain: one canonical JSON record per line, fsynced before the
 * record is indexed. It is what the chain head is recovered from, what a record missing from the
 * index is re-sent from, and what verify compares the index against. Never rotated or deleted.
 * Not thread-safe: only the audit writer thread appends; readers open their own handle.
 */
public final class AuditJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditJournal.class);
    private static final int CHUNK = 64 * 1024;

    private final Path file;
    private FileChannel channel;
    private boolean broken;

    public AuditJournal(Path file) {
        this.file = file;
    }

    /** {@code <data_dir>/audit/audit-<node_id>.ndjson} (node id restricted to file-name-safe characters). */
    public static Path pathFor(Path dataDir, String nodeId) {
        return dataDir.resolve("audit").resolve("audit-" + nodeId.replaceAll("[^A-Za-z0-9._-]", "_") + ".ndjson");
    }

    public Path file() {
        return file;
    }

    /**
     * Opens for append and returns the last record (null for an empty journal). A torn last line —
     * a crash during a write that was never fsynced, so never acknowledged — is cut off.
     */
    public ObjectNode open() throws IOException {
        Files.createDirectories(file.getParent());
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = channel.size();
        long end = lastNewlineBefore(size);
        long completeEnd = end < 0 ? 0 : end + 1;
        if (completeEnd < size) {
            LOG.warn("audit journal {}: cutting a torn tail of {} bytes (never acknowledged)", file, size - completeEnd);
            channel.truncate(completeEnd);
            channel.force(true);
        }
        channel.position(completeEnd);
        if (completeEnd == 0) return null;
        long start = lastNewlineBefore(completeEnd - 1) + 1;
        ByteBuffer line = ByteBuffer.allocate((int) (completeEnd - 1 - start));
        channel.read(line, start);
        JsonNode last = CanonicalJson.parse(new String(line.array(), StandardCharsets.UTF_8));
        if (!(last instanceof ObjectNode o) || !o.has(AuditDocument.SEQ) || !o.has(AuditDocument.HASH)) {
            throw new IOException("audit journal " + file + " ends with a line that is not an audit record");
        }
        return o;
    }

    /** Appends the lines and fsyncs; on failure the file is cut back so no partial line stays behind. */
    public void append(List<String> lines) throws IOException {
        if (broken || channel == null) throw new IOException("audit journal " + file + " is not writable (earlier failure)");
        long before = channel.position();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String line : lines) {
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
            ByteBuffer buffer = ByteBuffer.wrap(out.toByteArray());
            while (buffer.hasRemaining()) channel.write(buffer);
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            try {
                channel.truncate(before);
                channel.position(before);
                channel.force(false);
            } catch (IOException again) {
                broken = true;
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    /** Reads the journal front to back (own file handle; safe next to the writer, sees complete lines). */
    public static JournalReader reader(Path file) throws IOException {
        return new JournalReader(Files.newBufferedReader(file, StandardCharsets.UTF_8));
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
            return new JournalReader(new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Where the last {@code records} complete lines begin: after the (records + 1)-th newline from the end, or 0. */
    static long startOfLastLines(FileChannel channel, long records) throws IOException {
        // a last line without its newline (torn, or being written) is not one of the records
        return newlineBefore(channel, channel.size(), records + 1) + 1;
    }

    private long lastNewlineBefore(long limit) throws IOException {
        return newlineBefore(channel, limit, 1);
    }

    /** The position of the {@code nth} newline counted back from {@code limit} (exclusive), or -1. */
    private static long newlineBefore(FileChannel channel, long limit, long nth) throws IOException {
        long pos = limit;
        long seen = 0;
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        while (pos > 0) {
            int n = (int) Math.min(CHUNK, pos);
            buf.clear().limit(n);
            channel.read(buf, pos - n);
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(i) == '\n' && ++seen == nth) return pos - n + i;
            }
            pos -= n;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) channel.close();
    }

    /** Forward iteration over the journal's records; a torn last line (being written) ends it. */
    public static final class JournalReader implements AutoCloseable {
        private final BufferedReader in;

        JournalReader(BufferedReader in) {
            this.in = in;
        }

        /** The next record, or null at the end. */
        public ObjectNode next() {
            try {
                String line = in.readLine();
                if (line == null || line.isEmpty()) return null;
                try {
                    return (ObjectNode) CanonicalJson.parse(line);
                } catch (IllegalArgumentException | ClassCastException torn) {
                    return null;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
