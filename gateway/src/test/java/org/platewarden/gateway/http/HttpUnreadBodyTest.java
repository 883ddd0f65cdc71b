package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;
import org.platewarden.testkit.RawHttp;

/**
 * A request answered before its body was read (401, 413, 404, 405 …) ends its connection: the answer
 * says {@code Connection: close} and the connection is closed once it is written. The gateway used to
 * read and drop the rest to keep the connection alive — a client sending {@code Content-Length:
 * 100000000000}, or endless chunks, without valid credentials had 16-20 GB read over 12.5 s, until
 * the header deadline closed the connection, and 4 such clients took most of a core. A request whose
 * body was read in full keeps its keep-alive connection.
 */
class HttpUnreadBodyTest {
    static final String CAM_001 = GatewayHarness.basic("cam-001", "demo-cam-001");
    static final String WRONG = GatewayHarness.basic("cam-001", "not-the-secret");
    /** How long a flood may go on: before the fix it ran to the header deadline (2 s here). */
    static final Duration FLOOD = Duration.ofSeconds(6);
    /**
     * What a client may get written before the close: the body limit (a chunked body is read up to it),
     * the linger's 256 KiB, and what the two sockets' buffers hold. Before the fix: gigabytes.
     */
    static final long BOUNDED = 64L * 1024 * 1024;

    @TempDir
    Path dir;
    @AutoClose
    GatewayHarness gw;

    @BeforeEach
    void start() {
        // a header deadline of 2 s, far below the flood: a close that only the deadline made fails below
        gw = GatewayHarness.start(dir, "\"http_header_timeout_seconds\":2", 64L * 1024 * 1024);
    }

    static String post(String path, String auth, String framing) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + (auth == null ? "" : "Authorization: " + auth + "\r\n") + framing + "\r\n";
    }

    static final String HUGE = "Content-Length: 100000000000\r\n";
    static final String CHUNKED = "Transfer-Encoding: chunked\r\n";

    RawHttp.Flood flood(String head, boolean chunked) throws Exception {
        try (RawHttp c = RawHttp.connect("127.0.0.1", gw.httpPort())) {
            return c.flood(head, chunked, FLOOD);
        }
    }

    /** The answer, then the close within about the linger (500 ms), and only a bounded number of bytes read. */
    static void refusedAndClosed(RawHttp.Flood f, int status, String what) {
        assertNotNull(f.answer(), what + ": answered before the close");
        assertEquals(status, f.answer().status(), what + ": " + f.answer().body());
        assertTrue(f.answer().closes(), what + ": Connection: close, " + f.answer().headers());
        assertTrue(f.closed(), what + ": the connection is closed after the answer (" + f.bodyBytesWritten() + " bytes written)");
        assertTrue(f.closedAfterAnswer().compareTo(Duration.ofMillis(1500)) < 0, what + ": closed promptly, not at the header deadline: "
                + f.closedAfterAnswer());
        assertTrue(f.bodyBytesWritten() < BOUNDED, what + ": only a bounded part of the body was taken: " + f.bodyBytesWritten());
    }

    @Test
    void aBodyOverTheLimitIs413ThenClosedAndStillDeadLettered() throws Exception {
        refusedAndClosed(flood(post("/v1/reads", CAM_001, HUGE), false), 413, "Content-Length 100000000000");
        refusedAndClosed(flood(post("/v1/reads", CAM_001, CHUNKED), true), 413, "endless chunks");
        refusedAndClosed(flood(post("/v1/reads/openalpr", CAM_001, HUGE), false), 413, "a vendor webhook");
        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(3, letters.size(), "each leaves its dead letter, without payload, as documented");
        assertTrue(letters.get(0).reason().contains("Content-Length 100000000000") && letters.get(0).reason().contains("refused unread"),
                letters.get(0).reason());
        assertEquals(3.0, closes(), "counted");
        assertEquals(0.0, headerTimeouts(), "none was closed by the header deadline");
    }

    @Test
    void badOrMissingCredentialsAre401ThenClosed() throws Exception {
        refusedAndClosed(flood(post("/v1/reads", WRONG, HUGE), false), 401, "a wrong secret, Content-Length 100000000000");
        refusedAndClosed(flood(post("/v1/reads", WRONG, CHUNKED), true), 401, "a wrong secret, endless chunks");
        refusedAndClosed(flood(post("/v1/reads", null, HUGE), false), 401, "no Authorization");
        refusedAndClosed(flood(post("/v1/reads", null, CHUNKED), true), 401, "no Authorization, endless chunks");
        assertEquals(0, gw.deadLetters().size(), "no credentials, no dead letter");
        assertEquals(0.0, headerTimeouts());
    }

    @Test
    void aFormOrCompressedBodyOverTheLimitIsClosedToo() throws Exception {
        String form = "POST /v1/reads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: "
                + CAM_001 + "\r\n" + CHUNKED + "\r\n";
        refusedAndClosed(flood(form, true), 413, "a form body read raw up to the limit");
        String gzip = "POST /v1/reads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                + "Authorization: " + CAM_001 + "\r\n" + HUGE + "\r\n";
        refusedAndClosed(flood(gzip, false), 413, "a compressed body with a Content-Length over the limit");
    }

    @Test
    void theRoutersOwnAnswersWithABodyCloseToo() throws Exception {
        refusedAndClosed(flood(post("/nope", CAM_001, HUGE), false), 404, "unknown path");
        refusedAndClosed(flood("GET /v1/reads HTTP/1.1\r\nHost: localhost\r\n" + HUGE + "\r\n", false), 405, "wrong method");
        refusedAndClosed(flood("POST /health/live HTTP/1.1\r\nHost: localhost\r\n" + CHUNKED + "\r\n", true), 405, "wrong method, chunks");
    }

    @Test
    void aClientWaitingFor100ContinueGetsIts401AndTheConnectionCloses() throws Exception {
        try (RawHttp c = RawHttp.connect("127.0.0.1", gw.httpPort())) {
            c.send(post("/v1/reads", WRONG, "Content-Length: 3000000\r\nExpect: 100-continue\r\n"));
            RawHttp.Answer a = c.readAnswer();
            assertEquals(401, a.status(), a.body());
            assertTrue(a.closes(), "the body it announced was never sent: the connection cannot carry another request");
            assertTrue(c.closedByServerWithin(Duration.ofSeconds(1), "", Duration.ofMillis(50)), "closed once the answer was written");
        }
    }

    @Test
    void goodRequestsKeepTheirConnectionAndARefusedOneAfterThemClosesIt() throws Exception {
        try (RawHttp c = RawHttp.connect("127.0.0.1", gw.httpPort())) {
            for (int i = 0; i < 2; i++) {
                byte[] body = Reads.read("cam-001", "ABC12" + i).getBytes(StandardCharsets.UTF_8);
                c.send(post("/v1/reads", CAM_001, "Content-Length: " + body.length + "\r\n") + new String(body, StandardCharsets.UTF_8));
                RawHttp.Answer a = c.readAnswer();
                assertEquals(202, a.status(), a.body());
                assertFalse(a.closes(), "a request read whole keeps its connection: " + a.headers());
            }
            // a body refused whole, but read whole (not JSON): its 400 keeps the connection too
            c.send(post("/v1/reads", CAM_001, "Content-Length: 7\r\n") + "garbage");
            RawHttp.Answer garbage = c.readAnswer();
            assertEquals(400, garbage.status(), garbage.body());
            assertFalse(garbage.closes());
            assertEquals(200, c.get("/health/live"), "the connection is still open");
            // and then one refused before its body was read: answered, then closed
            refusedAndClosed(c.flood(post("/v1/reads", CAM_001, HUGE), false, FLOOD), 413, "after three answers on the connection");
        }
        assertEquals(2, gw.spooled().size());
        assertEquals(1.0, closes());
    }

    @Test
    void aBodyThatEndsWhileTheConnectionLingersLetsTheClientReadTheAnswer() throws Exception {
        // a client that writes its whole (slightly too large) body before it reads: 4 MiB + 64 KiB is
        // read up to the limit, the rest (within the linger's 256 KiB) read and dropped after the
        // answer, so the client's write completes and it reads the 413 (no reset lost it)
        int size = 4 * 1024 * 1024 + 64 * 1024;
        try (RawHttp c = RawHttp.connect("127.0.0.1", gw.httpPort())) {
            c.send(post("/v1/reads", null, "Transfer-Encoding: chunked\r\n") + Integer.toHexString(size) + "\r\n" + "7".repeat(size) + "\r\n0\r\n\r\n");
            RawHttp.Answer a = c.readAnswer();
            assertEquals(401, a.status(), a.body());
            assertTrue(a.closes());
            assertTrue(c.closedByServerWithin(Duration.ofSeconds(1), "", Duration.ofMillis(50)), "closed at once once the body ended");
        }
    }

    double closes() {
        var c = gw.registry.find("platewarden.http.unread.body.closes").tag("server", "gateway").counter();
        return c == null ? 0 : c.count();
    }

    double headerTimeouts() {
        var c = gw.registry.find("platewarden.http.header.timeouts").tag("server", "gateway").counter();
        return c == null ? 0 : c.count();
    }
}
