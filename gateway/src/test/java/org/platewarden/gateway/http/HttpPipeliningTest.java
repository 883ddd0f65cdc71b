package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.testkit.RawHttp;

/**
 * A client that pipelines tiny requests and never reads the answers cannot make the node hold them
 * by the thousand: each connection had about 1 MiB of {@code GET /health/live} decoded per read
 * cycle, some 20 000 request objects (8 MB of heap) per connection, and a few dozen connections of
 * one address (no credentials needed) ran a 256 MiB node out of memory. The gateway now takes in at
 * most 16 KiB per read of a connection (core's BoundedServerTransport, for every server connection).
 */
class HttpPipeliningTest {
    private static final int CONNECTIONS = 16;
    /** what each connection tries to pipeline: 8 MiB of 40-byte requests */
    private static final int BYTES_PER_CONNECTION = 8 * 1024 * 1024;
    /** about 16 × 8 MB held without the bound; well under 1 MB with it (answers wait in the kernel, not the heap) */
    private static final long MAX_HEAP_GROWTH = 32L * 1024 * 1024;

    @TempDir
    Path dir;
    GatewayHarness gw;

    @AfterEach
    void close() {
        if (gw != null) gw.close();
    }

    @Test
    void pipelinedRequestsOfClientsThatDoNotReadTheirAnswersAreNotHeldByTheThousand() throws Exception {
        gw = GatewayHarness.start(dir, "\"http_idle_timeout_seconds\":600,\"http_header_timeout_seconds\":300", 64L * 1024 * 1024);
        long before = liveHeap();
        byte[] request = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024 / request.length * request.length);
        while (chunk.remaining() >= request.length) chunk.put(request);
        chunk.flip();
        List<SocketChannel> clients = new ArrayList<>();
        try {
            long[] sent = new long[CONNECTIONS];
            for (int i = 0; i < CONNECTIONS; i++) {
                SocketChannel c = SocketChannel.open();
                c.setOption(StandardSocketOptions.SO_RCVBUF, 4096); // the answers stay unread
                c.setOption(StandardSocketOptions.SO_SNDBUF, 4 * 1024 * 1024);
                c.connect(new InetSocketAddress("127.0.0.1", gw.httpPort()));
                c.configureBlocking(false);
                clients.add(c);
            }
            // the event loop busy while the requests arrive, as on a loaded node: it then finds megabytes waiting
            busyEventLoops(1500);
            // write until every connection is full: the server has stopped reading it (no progress for 2 s)
            long lastProgress = System.nanoTime();
            while (System.nanoTime() - lastProgress < 2_000_000_000L) {
                boolean progress = false;
                for (int i = 0; i < CONNECTIONS; i++) {
                    if (sent[i] >= BYTES_PER_CONNECTION) continue;
                    ByteBuffer b = chunk.duplicate();
                    b.position((int) (sent[i] % chunk.limit()));
                    int n = clients.get(i).write(b);
                    if (n > 0) {
                        sent[i] += n;
                        progress = true;
                    }
                }
                if (progress) lastProgress = System.nanoTime();
                else Thread.sleep(20);
            }
            long growth = liveHeap() - before;
            assertTrue(growth < MAX_HEAP_GROWTH, "the node holds " + growth / 1024 + " KiB more heap for " + CONNECTIONS
                    + " connections pipelining unread requests (at most " + MAX_HEAP_GROWTH / 1024 + " KiB)");
            try (RawHttp other = RawHttp.connect("127.0.0.1", gw.httpPort())) {
                assertEquals(200, other.get("/health/live"), "another connection is still served");
            }
        } finally {
            for (SocketChannel c : clients) c.close();
        }
    }

    /** Keeps every event loop of the gateway's Vert.x busy for {@code ms} (a context per loop, round robin). */
    private void busyEventLoops(long ms) {
        for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
            gw.vertx.getOrCreateContext().runOnContext(v -> {
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /** The heap in use after full collections: the test's server runs in this JVM. */
    private static long liveHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
