package org.platewarden.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for tests of what a server does to connections whatever their
 * client does: half a request, nothing at all, a connection from another local address.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;

    private RawHttp(Socket socket) {
        this.socket = socket;
    }

    /** A connection to 127.0.0.1:port from the local address {@code from} (127.0.0.2 is another client). */
    public static RawHttp connect(String from, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(60_000);
        return new RawHttp(s);
    }

    public void send(String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Sends {@code GET path} (keep-alive) and reads the answer; returns its status code. */
    public int get(String path) throws IOException {
        send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        return readResponse();
    }

    /** Reads one response (head, then a Content-Length body); returns its status code. */
    public int readResponse() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed before the response head was whole: " + head.toString(StandardCharsets.US_ASCII));
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        in.readNBytes(length);
        return Integer.parseInt(text.substring(9, 12));
    }

    /**
     * Whether the server closes the connection within {@code within}, while this side writes
     * {@code dribble} one byte every {@code every} (a slowloris client; empty: sends nothing).
     */
    public boolean closedByServerWithin(Duration within, String dribble, Duration every) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        int sent = 0;
        socket.setSoTimeout((int) Math.max(1, every.toMillis()));
        InputStream in = socket.getInputStream();
        while (System.nanoTime() < deadline) {
            try {
                if (in.read() < 0) return true;
            } catch (SocketTimeoutException e) {
                if (sent < dribble.length()) {
                    try {
                        send(dribble.substring(sent, sent + 1));
                        sent++;
                    } catch (SocketException closed) {
                        return true;
                    }
                }
            } catch (SocketException reset) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
