package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.testkit.RawHttp;

/**
 * A request answered before its body was read (a 413 on its {@code Content-Length}, a 401 on a route
 * that takes no body, a 404 or 405) ends its connection: {@code Connection: close}, then closed once
 * the answer is written. The port used to read and drop the rest to keep the connection alive:
 * {@code POST /v1/search} without a token and with endless chunks had 14.4 GB read over 12.5 s. A
 * request whose body was read keeps its keep-alive connection, whatever it is answered.
 */
class SearchUnreadBodyIT {
    static final Duration FLOOD = Duration.ofSeconds(6);
    /** the body limit here is 4 KiB; the rest is the linger's 256 KiB and the sockets' buffers. Before: gigabytes */
    static final long BOUNDED = 64L * 1024 * 1024;
    static final String HUGE = "Content-Length: 100000000000\r\n";
    static final String CHUNKED = "Transfer-Encoding: chunked\r\n";

    @TempDir
    static Path dataDir;
    static ApiStack api;

    @BeforeAll
    static void start() {
        // a header deadline of 2 s, below the flood: a close only the deadline made fails below
        api = new ApiStack(dataDir, null, prefix -> { }, new JsonObject().put("http_header_timeout_seconds", 2));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static String request(String method, String path, String token, String framing) {
        return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + framing + "\r\n";
    }

    static RawHttp.Flood flood(String head, boolean chunked) throws Exception {
        try (RawHttp c = RawHttp.connect("127.0.0.1", api.port)) {
            return c.flood(head, chunked, FLOOD);
        }
    }

    static JsonObject refusedAndClosed(RawHttp.Flood f, int status, String what) {
        assertNotNull(f.answer(), what + ": answered before the close");
        assertEquals(status, f.answer().status(), what + ": " + f.answer().body());
        assertTrue(f.answer().closes(), what + ": Connection: close, " + f.answer().headers());
        assertTrue(f.closed(), what + ": closed after the answer (" + f.bodyBytesWritten() + " bytes written)");
        assertTrue(f.closedAfterAnswer().compareTo(Duration.ofMillis(1500)) < 0, what + ": closed promptly: " + f.closedAfterAnswer());
        assertTrue(f.bodyBytesWritten() < BOUNDED, what + ": only a bounded part of the body was taken: " + f.bodyBytesWritten());
        JsonObject body = new JsonObject(f.answer().body());
        assertEquals(status, body.getInteger("status"), "the port's error shape");
        return body;
    }

    @Test
    void aSearchWithoutATokenAndAHugeBodyIs413ThenClosedAndStillAudited() throws Exception {
        JsonObject huge = refusedAndClosed(flood(request("POST", "/v1/search", null, HUGE), false), 413, "Content-Length 100000000000");
        assertNotNull(huge.getString("audit_id"), "audited (or counted) as before: " + huge);
        refusedAndClosed(flood(request("POST", "/v1/search", null, CHUNKED), true), 413, "endless chunks");
        refusedAndClosed(flood(request("POST", "/v1/search", "not-a-token", CHUNKED), true), 413, "a bad token, endless chunks");
        refusedAndClosed(flood(request("POST", "/v1/holds", "demo-dpd-supervisor", HUGE), false), 413, "a hold, with a good token");
        assertEquals(0.0, counter("platewarden.http.header.timeouts"), "none waited for the header deadline");
    }

    @Test
    void a401OnARouteThatTakesNoBodyIsClosedToo() throws Exception {
        refusedAndClosed(flood(request("GET", "/v1/audit", null, HUGE), false), 401, "no token");
        refusedAndClosed(flood(request("GET", "/v1/audit/verify", "not-a-token", CHUNKED), true), 401, "a bad token, endless chunks");
    }

    @Test
    void theRoutersOwnAnswersWithABodyCloseToo() throws Exception {
        refusedAndClosed(flood(request("POST", "/nope", null, HUGE), false), 404, "unknown path");
        refusedAndClosed(flood(request("PUT", "/v1/search", null, CHUNKED), true), 405, "wrong method");
    }

    @Test
    void requestsReadWholeKeepTheirConnectionAndAnUnreadOneAfterThemClosesIt() throws Exception {
        double before = counter("platewarden.http.unread.body.closes");
        try (RawHttp c = RawHttp.connect("127.0.0.1", api.port)) {
            for (int i = 0; i < 2; i++) {
                byte[] body = ApiStack.searchBody("stolen_vehicle", "KEEP-ALIVE-" + i).encode().getBytes(StandardCharsets.UTF_8);
                c.send(request("POST", "/v1/search", "demo-dpd-investigator", "Content-Length: " + body.length + "\r\n")
                        + new String(body, StandardCharsets.UTF_8));
                RawHttp.Answer a = c.readAnswer();
                assertEquals(200, a.status(), a.body());
                assertFalse(a.closes(), "a search read whole keeps its connection: " + a.headers());
            }
            // refused, but read whole (the body comes before the token is checked): keeps it too
            byte[] body = ApiStack.searchBody("stolen_vehicle", "BAD-TOKEN").encode().getBytes(StandardCharsets.UTF_8);
            c.send(request("POST", "/v1/search", "not-a-token", "Content-Length: " + body.length + "\r\n") + new String(body, StandardCharsets.UTF_8));
            RawHttp.Answer bad = c.readAnswer();
            assertEquals(401, bad.status(), bad.body());
            assertFalse(bad.closes());
            assertEquals(200, c.get("/health/live"), "still open");
            refusedAndClosed(c.flood(request("POST", "/v1/search", "demo-dpd-investigator", HUGE), false, FLOOD), 413, "after four answers");
        }
        assertEquals(1.0, counter("platewarden.http.unread.body.closes") - before);
    }

    /**
     * A Transfer-Encoding that does not end with chunked leaves the body's length unknown: a 400 before
     * any route, the connection closed, and the search sent as its "body" is not served as a request of
     * its own (it was, with Netty taking such a request as bodiless: request smuggling).
     */
    @Test
    void aTransferEncodingNotEndingWithChunkedIs400AndWhatFollowsItIsNotServed() throws Exception {
        byte[] body = ApiStack.searchBody("stolen_vehicle", "SMUGGLED").encode().getBytes(StandardCharsets.UTF_8);
        String smuggled = request("POST", "/v1/search", "demo-dpd-investigator", "Content-Length: " + body.length + "\r\n")
                + new String(body, StandardCharsets.UTF_8);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", api.port)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write((request("POST", "/v1/search", "demo-dpd-investigator", "Transfer-Encoding: gzip\r\n") + smuggled)
                    .getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            // everything the server sends until it closes: one answer, not the search's too
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(all.startsWith("HTTP/1.1 400 "), all);
            assertEquals(all.indexOf("HTTP/1.1 "), all.lastIndexOf("HTTP/1.1 "), "the search behind it was served: " + all);
            assertTrue(all.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), all);
            String answer = all.substring(all.indexOf("\r\n\r\n") + 4);
            assertTrue(new JsonObject(answer).getString("error").startsWith("Transfer-Encoding gzip does not end with chunked"), answer);
        }
    }

    private static double counter(String name) {
        var c = api.metrics.find(name).tag("server", "search").counter();
        return c == null ? 0 : c.count();
    }
}
