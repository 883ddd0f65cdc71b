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
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

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

    /**
     * The same over TLS: {@code tls} trusts the server's certificate; the client offers HTTP/2 and
     * HTTP/1.1 by ALPN, as browsers and curl do ({@link #applicationProtocol()} tells which the server took).
     */
    public static RawHttp connectTls(String from, int port, javax.net.ssl.SSLContext tls) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(s, "127.0.0.1", port, true);
        javax.net.ssl.SSLParameters params = ssl.getSSLParameters();
        params.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(60_000);
        ssl.startHandshake();
        return new RawHttp(ssl);
    }

    /** The protocol the server chose by ALPN ({@code h2}, {@code http/1.1}); empty when it chose none, null when not TLS. */
    public String applicationProtocol() {
        return socket instanceof javax.net.ssl.SSLSocket ssl ? ssl.getApplicationProtocol() : null;
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
        return readAnswer().status();
    }

    /** One response: its status, its headers (names in lower case, the last of a name repeated) and its body. */
    public record Answer(int status, Map<String, String> headers, String body) {
        /** Whether the answer says the server closes the connection after it ({@code Connection: close}). */
        public boolean closes() {
            return "close".equalsIgnoreCase(headers.getOrDefault("connection", "").trim());
        }
    }

    /** Reads one response (head, then a Content-Length body). */
    public Answer readAnswer() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed before the response head was whole: " + head.toString(StandardCharsets.US_ASCII));
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        Map<String, String> headers = new HashMap<>();
        String[] lines = text.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        return new Answer(Integer.parseInt(text.substring(9, 12)), headers, body);
    }

    /**
     * What a client that went on sending a request's body saw: the answer (null if the connection
     * ended before one was read whole), how many body bytes it managed to write before the server
     * closed or reset the connection (or the flood's time was up), how long the answer took from the
     * first byte sent, and how long after the answer the connection was seen closed (null: not within
     * the flood's time).
     */
    public record Flood(Answer answer, long bodyBytesWritten, Duration answeredAfter, Duration closedAfterAnswer) {
        public boolean closed() {
            return closedAfterAnswer != null;
        }
    }

    /**
     * Sends {@code head} (request line and headers, ending in the blank line), then body bytes in
     * 64 KiB pieces as fast as the server takes them — each a chunk of chunked encoding when
     * {@code chunked}, else raw bytes (as for a {@code Content-Length} never reached) — without
     * end, while reading the answer on this connection; stops writing at the first write that fails
     * (the server closed or reset the connection) or when {@code within} has passed, and then
     * closes the socket.
     */
    public Flood flood(String head, boolean chunked, Duration within) throws IOException {
        long start = System.nanoTime();
        long deadline = start + within.toNanos();
        AtomicLong written = new AtomicLong();
        AtomicLong writeFailedAt = new AtomicLong();
        byte[] piece = new byte[64 * 1024];
        java.util.Arrays.fill(piece, (byte) '7');
        byte[] chunkHead = (Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                while (System.nanoTime() < deadline) {
                    if (chunked) out.write(chunkHead);
                    out.write(piece);
                    if (chunked) out.write(crlf);
                    written.addAndGet(piece.length);
                }
            } catch (IOException closedOrReset) {
                writeFailedAt.set(System.nanoTime());
            }
        }, "raw-http-flood");
        writer.setDaemon(true);
        writer.start();
        Answer answer = null;
        long answeredAt = 0;
        long closedAt = 0;
        try {
            socket.setSoTimeout((int) Math.max(1, within.toMillis()));
            try {
                answer = readAnswer();
                answeredAt = System.nanoTime();
            } catch (IOException noAnswer) {
                closedAt = System.nanoTime();
            }
            // then: until the server closes or resets the connection, or the time is up
            socket.setSoTimeout(50);
            InputStream in = socket.getInputStream();
            byte[] rest = new byte[8192];
            while (closedAt == 0 && System.nanoTime() < deadline) {
                if (writeFailedAt.get() != 0) {
                    closedAt = writeFailedAt.get();
                    break;
                }
                try {
                    if (in.read(rest) < 0) closedAt = System.nanoTime();
                } catch (SocketTimeoutException stillOpen) {
                    // the server has not closed yet
                } catch (IOException reset) {
                    closedAt = System.nanoTime();
                }
            }
        } finally {
            socket.close();
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Duration answeredAfter = answer == null ? null : Duration.ofNanos(answeredAt - start);
        Duration closedAfter = closedAt == 0 || answer == null ? null : Duration.ofNanos(Math.max(0, closedAt - answeredAt));
        return new Flood(answer, written.get(), answeredAfter, closedAfter);
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
