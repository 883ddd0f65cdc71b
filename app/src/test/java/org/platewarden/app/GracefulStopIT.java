package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.testkit.PortProbe;

/**
 * Stopping a node (SIGTERM runs {@link PlatewardenNode#close()}) while an investigator's search is
 * under way: the search is answered, with its audit record written, and only then does the node
 * finish stopping; a new connection is refused from the moment the stop begins.
 */
class GracefulStopIT {
    @TempDir
    Path dataDir;
    @AutoClose
    OwnSearchNode own;

    @Test
    void aSearchUnderWayWhenTheNodeStopsIsAnsweredAndAudited() throws Exception {
        own = new OwnSearchNode("stop", dataDir, "\"shutdown_grace_seconds\":20", "");
        PlatewardenNode node = own.node();
        int port = node.searchPort();
        byte[] body = "{\"plate\":\"ABC1234\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DPD-2026-000123\"}".getBytes(StandardCharsets.UTF_8);
        int half = body.length / 2;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out.write(("POST /v1/search HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer demo-dpd-investigator\r\nExpect: 100-continue\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, half);
            out.flush();
            assertEquals("HTTP/1.1 100 Continue", in.readLine(), "the search API is reading the body: the request is under way");
            assertEquals("", in.readLine());

            PlatewardenNode stopping = own.release();
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(stopping::close);
            PortProbe.awaitRefused(port, 30);
            assertFalse(stopped.isDone(), "the stop waits for the search under way");

            out.write(body, half, body.length - half);
            out.flush();
            assertEquals("HTTP/1.1 200 OK", in.readLine());
            int length = -1;
            for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
            }
            char[] answer = new char[length];
            for (int read = 0; read < length; ) read += in.read(answer, read, length - read);
            String auditId = new JsonObject(new String(answer)).getString("audit_id");
            stopped.get(60, TimeUnit.SECONDS);

            Path journal = dataDir.resolve("audit").resolve("audit-stop.ndjson");
            assertTrue(Files.readString(journal).contains("\"audit_id\":\"" + auditId + "\""), "the answered search's record is in the journal");
        }
    }
}
