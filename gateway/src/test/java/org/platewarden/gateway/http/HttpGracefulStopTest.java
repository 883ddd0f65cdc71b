package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.testkit.PortProbe;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * A stop (SIGTERM, a rolling restart) lets a camera's request that is under way finish: its reads
 * are fsynced and it gets its 202, while new connections are refused at once. Before, the stop
 * closed the connection mid-request and the camera had to resend the whole batch.
 */
class HttpGracefulStopTest {
    @TempDir
    Path dir;
    GatewayHarness gw;

    @AfterEach
    void close() {
        if (gw != null) gw.close();
    }

    /**
     * A client that waits for 100 Continue has its credentials checked first: a wrong secret gets
     * 401 without being asked for the body, a right one its 100 Continue.
     */
    @Test
    void aWrongSecretIsRefusedBeforeTheBodyIsAskedFor() throws Exception {
        gw = GatewayHarness.start(dir, "\"http_body_limit_bytes\":65536", 64L * 1024 * 1024);
        assertEquals("HTTP/1.1 401 Unauthorized", firstLineAnswering100Continue("wrong", 60_000),
                "answered without asking for the 60 000 bytes");
        assertEquals(0, gw.spooled().size());
        assertEquals(0, gw.deadLetters().size(), "no valid credentials, no trace");
        // the right secret and a body over the limit: 413 without being asked for it, and a dead letter without payload
        assertEquals("HTTP/1.1 413 Request Entity Too Large", firstLineAnswering100Continue("demo-cam-001", 70_000));
        assertEquals(1, gw.deadLetters().size());
        assertTrue(gw.deadLetters().get(0).reason().startsWith("too_large"), gw.deadLetters().toString());
    }

    @Test
    void aRequestUnderWayWhenTheGatewayStopsIsAnsweredAndStored() throws Exception {
        gw = GatewayHarness.start(dir, "\"http_body_limit_bytes\":65536", 64L * 1024 * 1024);
        int port = gw.httpPort();
        byte[] body = ("[" + Reads.read("cam-001", "STOP123") + "]").getBytes(StandardCharsets.UTF_8);
        int half = body.length / 2;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out.write(("POST /v1/reads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Authorization: " + GatewayHarness.basic("cam-001", "demo-cam-001") + "\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, half);
            out.flush();
            // the gateway has authenticated the camera and is reading the body: the request is under way
            assertEquals("HTTP/1.1 100 Continue", in.readLine());
            assertEquals("", in.readLine());

            Future<Void> stopped = gw.stop();
            PortProbe.awaitRefused(port, 10);
            assertFalse(stopped.isComplete(), "the stop waits for the request under way");

            out.write(body, half, body.length - half);
            out.flush();
            assertEquals("HTTP/1.1 202 Accepted", in.readLine());
            stopped.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        assertEquals(1, gw.spooled().size(), "the read answered 202 is in the spool");
        assertEquals("STOP123", gw.spooled().get(0).path("plate").asText());
    }

    /** Sends only the headers of a POST that waits for 100 Continue; returns the status line the server answers with. */
    private String firstLineAnswering100Continue(String secret, int contentLength) throws Exception {
        try (Socket s = new Socket("127.0.0.1", gw.httpPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out.write(("POST /v1/reads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Authorization: " + GatewayHarness.basic("cam-001", secret) + "\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return in.readLine();
        }
    }
}
