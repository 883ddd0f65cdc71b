package org.platewarden.indexer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.http.entity.AbstractHttpEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.ContentEncoder;
import org.apache.http.nio.IOControl;
import org.apache.http.nio.entity.HttpAsyncContentProducer;
import org.platewarden.core.read.IndexDocument;

/**
 * A bulk request's NDJSON body, written once and sent (and, on a retry, re-sent) as it is, held in
 * chunks of at most {@link #CHUNK} bytes.
 *
 * <p>Why chunks: a 5 000-read body in one array (~6 MB) is a G1 "humongous" allocation, and each one
 * started a concurrent marking cycle of Platewarden's heap — 53 per million indexed reads (JFR, tenth
 * session). Why not many small buffers: Elasticsearch's network threads paid per write for
 * elasticsearch-java's one buffer per line (docs/benchmark-history.md, ninth session); a quarter-megabyte
 * chunk is as many bytes as the socket takes in one write anyway.
 *
 * <p>The Apache async client calls {@link #produceContent} on its I/O thread; the body is complete
 * before the request is handed over and never changes after, so no synchronisation is needed.
 */
final class NdjsonBody extends AbstractHttpEntity implements HttpAsyncContentProducer, IndexDocument.ByteSink {
    static final int CHUNK = 256 * 1024;
    private static final ContentType NDJSON = ContentType.create("application/x-ndjson");

    private final int chunkSize;
    private final List<ByteBuffer> chunks = new ArrayList<>();
    private final long expected;
    private byte[] current;
    private int count;
    private long length;
    /** first chunk not yet fully produced */
    private int producing;

    /** @param expected the body's likely size, so that a small body does not take a whole chunk */
    NdjsonBody(long expected) {
        this(expected, CHUNK);
    }

    NdjsonBody(long expected, int chunkSize) {
        this.expected = expected;
        this.chunkSize = chunkSize;
        setContentType(NDJSON.toString());
    }

    @Override
    public void write(int b) {
        if (current == null || count == current.length) next(1);
        current[count++] = (byte) b;
        length++;
    }

    void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        while (len > 0) {
            if (current == null || count == current.length) next(len);
            int n = Math.min(len, current.length - count);
            System.arraycopy(b, off, current, count, n);
            count += n;
            off += n;
            len -= n;
            length += n;
        }
    }

    /** Writes {@code s}, which the caller has checked is printable ASCII, one byte per char. */
    void writeAscii(String s) {
        for (int i = 0; i < s.length(); i++) write(s.charAt(i));
    }

    private void next(int atLeast) {
        seal();
        long left = Math.max(expected - length, atLeast);
        current = new byte[(int) Math.min(chunkSize, Math.max(4096, left))];
        count = 0;
    }

    private void seal() {
        if (current != null && count > 0) chunks.add(ByteBuffer.wrap(current, 0, count));
        current = null;
        count = 0;
    }

    /** Ends writing; the body is then sent as it is. */
    NdjsonBody finished() {
        seal();
        return this;
    }

    int chunkCount() {
        return chunks.size();
    }

    @Override
    public void produceContent(ContentEncoder encoder, IOControl ioControl) throws IOException {
        while (producing < chunks.size()) {
            ByteBuffer chunk = chunks.get(producing);
            encoder.write(chunk);
            if (chunk.hasRemaining()) return; // the socket is full: called again when it drains
            producing++;
        }
        encoder.complete();
    }

    /** Rewinds for a resend (the client closes the producer before it retries on another node). */
    @Override
    public void close() {
        for (ByteBuffer chunk : chunks) chunk.rewind();
        producing = 0;
    }

    @Override
    public long getContentLength() {
        return length;
    }

    @Override
    public boolean isRepeatable() {
        return true;
    }

    @Override
    public boolean isStreaming() {
        return false;
    }

    @Override
    public InputStream getContent() {
        List<InputStream> parts = new ArrayList<>(chunks.size());
        for (ByteBuffer c : chunks) parts.add(new ByteArrayInputStream(c.array(), c.arrayOffset(), c.limit()));
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        for (ByteBuffer c : chunks) out.write(c.array(), c.arrayOffset(), c.limit());
    }
}
