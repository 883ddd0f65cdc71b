package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.testkit.RawHttp;

/**
 * Unauthenticated clients cannot hold the ingest port's connections: thousands of connections with
 * half-sent headers stayed open and exhausted the process's open files, and camera ingest stopped.
 * A request's headers must be complete within gateway.http_header_timeout_seconds (a slowloris
 * client's trickle of bytes does not extend it), and one client address may hold at most
 * gateway.max_connections_per_address connections.
 */
class HttpConnectionLimitsTest {
    /** Far above the 2 s deadlines below, so a loaded machine cannot fail these tests. */
    private static final Duration GENEROUS = Duration.ofSeconds(40);

    @TempDir
    Path dir;
    GatewayHarness gw;

    @AfterEach
    void close() {
        if (gw != null) gw.close();
    }

    @Test
    void aConnectionTricklingHalfARequestLineIsClosedAtTheHeaderDeadline() throws Exception {
        gw = GatewayHarness.start(dir, "\"http_header_timeout_seconds\":2", 64L * 1024 * 1024);
        try (RawHttp slow = RawHttp.connect("127.0.0.1", gw.httpPort())) {
            // one byte every 500 ms: the idle timeout (60 s) never fires, the header deadline must
            assertTrue(slow.closedByServerWithin(GENEROUS, "POST /v1/reads HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
                    + "a".repeat(200), Duration.ofMillis(500)), "a slowloris connection is closed");
        }
        assertTrue(headerTimeouts() >= 1, "counted");
    }

    @Test
    void aKeepAliveConnectionMustSendItsNextRequestsHeadersInTimeToo() throws Exception {
        gw = GatewayHarness.start(dir, "\"http_header_timeout_seconds\":2", 64L * 1024 * 1024);
        try (RawHttp client = RawHttp.connect("127.0.0.1", gw.httpPort())) {
            assertEquals(200, client.get("/health/live"));
            assertEquals(200, client.get("/health/live"), "a request in time is served");
            assertTrue(client.closedByServerWithin(GENEROUS, "GET /health/live HTTP/1.1\r\nX-Slow: " + "a".repeat(200),
                    Duration.ofMillis(500)), "the next request trickled in after a response is cut off too");
        }
    }

    @Test
    void connectionsBeyondTheCapOfOneAddressAreClosedWhileAnotherAddressIsServed() throws Exception {
        gw = GatewayHarness.start(dir, "\"max_connections_per_address\":3", 64L * 1024 * 1024);
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttp c = RawHttp.connect("127.0.0.1", gw.httpPort());
                held.add(c);
                assertEquals(200, c.get("/health/live"), "connection " + i + " within the cap is served");
            }
            try (RawHttp fourth = RawHttp.connect("127.0.0.1", gw.httpPort())) {
                assertTrue(fourth.closedByServerWithin(GENEROUS, "", Duration.ofMillis(200)), "the fourth connection of 127.0.0.1 is closed at once");
            }
            assertEquals(1.0, refusedConnections(), "counted");
            try (RawHttp other = RawHttp.connect("127.0.0.2", gw.httpPort())) {
                assertEquals(200, other.get("/health/live"), "another client address still gets in");
            }
            for (RawHttp c : held) assertEquals(200, c.get("/health/live"), "the connections within the cap are untouched");
            held.remove(0).close();
            // the closed connection's place is free again (its close is seen by the server shortly after)
            boolean servedAgain = false;
            long until = System.nanoTime() + GENEROUS.toNanos();
            while (!servedAgain && System.nanoTime() < until) {
                try (RawHttp again = RawHttp.connect("127.0.0.1", gw.httpPort())) {
                    servedAgain = again.get("/health/live") == 200;
                } catch (java.io.IOException closedAtOnce) {
                    Thread.sleep(100);
                }
            }
            assertTrue(servedAgain, "a closed connection frees its place");
        } finally {
            for (RawHttp c : held) c.close();
        }
        assertFalse(refusedConnections() < 1.0);
    }

    private double headerTimeouts() {
        var c = gw.registry.find("platewarden.http.header.timeouts").tag("server", "gateway").counter();
        return c == null ? 0 : c.count();
    }

    private double refusedConnections() {
        var c = gw.registry.find("platewarden.http.connections.refused").tag("server", "gateway").counter();
        return c == null ? 0 : c.count();
    }
}
