package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import org.apache.http.nio.ContentEncoder;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.Test;

/** The chunked bulk body: the bytes written are the bytes sent, however the socket takes them, and again on a resend. */
class NdjsonBodyTest {

    /** A socket that takes at most {@code perWrite} bytes per write and records them. */
    private static final class ThrottledEncoder implements ContentEncoder {
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        final int perWrite;
        boolean completed;
        int writes;

        ThrottledEncoder(int perWrite) {
            this.perWrite = perWrite;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(perWrite, src.remaining());
            byte[] b = new byte[n];
            src.get(b);
            sent.write(b, 0, n);
            writes++;
            return n;
        }

        @Override
        public void complete() {
            completed = true;
        }

        @Override
        public boolean isCompleted() {
            return completed;
        }
    }

    private static byte[] written(NdjsonBody body, Random random, int total) {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        while (expected.size() < total) {
            byte[] piece = new byte[random.nextInt(300)];
            random.nextBytes(piece);
            if (random.nextBoolean()) {
                body.write(piece);
            } else {
                for (byte b : piece) body.write(b);
            }
            expected.write(piece, 0, piece.length);
        }
        body.writeAscii("end");
        expected.writeBytes("end".getBytes());
        body.finished();
        return expected.toByteArray();
    }

    private static byte[] produce(NdjsonBody body, int perWrite) throws Exception {
        ThrottledEncoder socket = new ThrottledEncoder(perWrite);
        int calls = 0;
        while (!socket.completed) {
            body.produceContent(socket, null);
            assertTrue(++calls < 100_000, "the producer makes progress");
        }
        return socket.sent.toByteArray();
    }

    @Test
    void bytesSpanningManyChunksAreProducedInOrderThroughPartialWritesAndAgainAfterARewind() throws Exception {
        NdjsonBody body = new NdjsonBody(20_000, 4096);
        byte[] expected = written(body, new Random(7), 20_000);
        assertTrue(body.chunkCount() >= 5, "written across several chunks: " + body.chunkCount());
        assertEquals(expected.length, body.getContentLength());
        assertArrayEquals(expected, produce(body, 1000), "a socket taking 1000 bytes at a time");
        body.close(); // what the client does before it resends the request to another node
        assertArrayEquals(expected, produce(body, 100_000), "the resend carries the same bytes");
        assertArrayEquals(expected, EntityUtils.toByteArray(body), "and so does the blocking view");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.writeTo(out);
        assertArrayEquals(expected, out.toByteArray());
    }

    @Test
    void aSmallBodyTakesOneSmallChunkAndALargeOneNoChunkAboveTheLimit() {
        NdjsonBody small = new NdjsonBody(100);
        written(small, new Random(1), 100);
        assertEquals(1, small.chunkCount());

        NdjsonBody large = new NdjsonBody(3_000_000);
        written(large, new Random(2), 3_000_000);
        assertTrue(large.chunkCount() >= 3_000_000 / NdjsonBody.CHUNK, "chunks: " + large.chunkCount());
    }

    @Test
    void anEmptyBodyCompletesAtOnce() throws Exception {
        NdjsonBody empty = new NdjsonBody(0).finished();
        assertEquals(0, empty.getContentLength());
        assertEquals(0, produce(empty, 10).length);
    }
}
