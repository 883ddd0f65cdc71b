package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.testkit.RawHttp;

/**
 * Unauthenticated clients cannot hold the search port's connections (thousands with half-sent
 * headers exhausted the process's open files and every search stopped): a request's headers must
 * be complete within search.http_header_timeout_seconds, and one client address holds at most
 * search.max_connections_per_address connections.
 */
class SearchConnectionLimitsIT {
    /** Far above the 2 s deadline, so a loaded machine cannot fail these tests. */
    private static final Duration GENEROUS = Duration.ofSeconds(40);

    @TempDir
    static Path dataDir;
    static ApiStack api;

    @BeforeAll
    static void start() {
        api = new ApiStack(dataDir, null, prefix -> { },
                new JsonObject().put("http_header_timeout_seconds", 2).put("max_connections_per_address", 3));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void aConnectionTricklingHalfARequestLineIsClosedAtTheHeaderDeadline() throws Exception {
        // from an address of its own: the cap test's three connections from 127.0.0.1 are released
        // when the server sees them close, and a connection made before that was refused by the cap
        // (closed at once, not at the deadline) on a loaded machine
        try (RawHttp slow = RawHttp.connect("127.0.0.3", api.port)) {
            assertTrue(slow.closedByServerWithin(GENEROUS, "POST /v1/search HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "a".repeat(200),
                    Duration.ofMillis(500)), "a slowloris connection is closed");
        }
        assertTrue(counter("platewarden.http.header.timeouts") >= 1, "counted");
    }

    @Test
    void connectionsBeyondTheCapOfOneAddressAreClosedWhileAnotherAddressIsServed() throws Exception {
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttp c = RawHttp.connect("127.0.0.1", api.port);
                held.add(c);
                assertEquals(200, c.get("/health/live"), "connection " + i + " within the cap is served");
            }
            try (RawHttp fourth = RawHttp.connect("127.0.0.1", api.port)) {
                assertTrue(fourth.closedByServerWithin(GENEROUS, "", Duration.ofMillis(200)), "the fourth connection of 127.0.0.1 is closed at once");
            }
            assertEquals(1.0, counter("platewarden.http.connections.refused"), "counted");
            try (RawHttp other = RawHttp.connect("127.0.0.2", api.port)) {
                assertEquals(200, other.get("/health/live"), "another client address still gets in");
            }
        } finally {
            for (RawHttp c : held) c.close();
        }
    }

    private static double counter(String name) {
        var c = api.metrics.find(name).tag("server", "search").counter();
        return c == null ? 0 : c.count();
    }
}
