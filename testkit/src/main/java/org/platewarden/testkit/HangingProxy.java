package org.platewarden.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A TCP proxy in front of the tests' Elasticsearch that can be told to hang, as a node stopped with
 * SIGSTOP does: connections are still accepted (the kernel completes the handshake), but nothing
 * sent is answered — the requests on open connections and new ones alike are swallowed. Told to
 * answer again, it forwards as before. It can also start hanging at a request whose request line
 * matches — that connection only, or every one (a cluster that stops answering in the middle of a
 * change) — or after forwarding such a request, so Elasticsearch carries it out but its answer never
 * comes; or slow every request down without stopping (a cluster under a long collection). It can
 * also stop listening, as a node that exited: connections are refused, and open ones dropped,
 * until it listens again on the same port. The shared node itself is never touched.
 */
public final class HangingProxy implements AutoCloseable {
    private static final List<String> METHODS = List.of("GET ", "POST ", "PUT ", "DELETE ", "HEAD ");
    private final URI target;
    private final int port;
    private volatile ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger forwarded = new AtomicInteger();
    private volatile boolean hanging;
    private volatile Predicate<String> hangOn = line -> false;
    private volatile Predicate<String> hangAllFrom = line -> false;
    private volatile Predicate<String> hangAnswerOf = line -> false;
    private volatile boolean hangAllAfterAnswerOf;
    private final AtomicInteger answersHung = new AtomicInteger();
    private volatile long delayMillis;

    public HangingProxy(String targetUrl) throws IOException {
        this.target = URI.create(targetUrl);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.port = server.getLocalPort();
        startAccepting(server);
    }

    private void startAccepting(ServerSocket listening) {
        Thread acceptor = new Thread(() -> accept(listening), "hanging-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The proxy's URL, for the code under test. */
    public String url() {
        return target.getScheme() + "://127.0.0.1:" + port;
    }

    /**
     * true: stop listening and drop every open connection, as an Elasticsearch that exited or was
     * stopped — a new connection is refused ({@code Connection refused}), a request on an open one
     * fails; false: listen again on the same port and forward as before.
     */
    public synchronized void refuse(boolean refuse) throws IOException {
        if (refuse) {
            server.close();
            sockets.forEach(HangingProxy::closeQuietly);
            sockets.clear();
            return;
        }
        if (!server.isClosed()) return;
        ServerSocket listening = new ServerSocket();
        listening.setReuseAddress(true);
        listening.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server = listening;
        startAccepting(listening);
    }

    /**
     * From the first request whose request line matches, that request is forwarded — Elasticsearch
     * carries it out — but its answer, and any later one on its connection, is swallowed: a cluster
     * that hangs after doing what it was asked, or a network that loses the answer. With
     * {@code thenHangAll}, the whole proxy hangs from then on as {@link #hang}{@code (true)} does,
     * until told {@code hang(false)}. {@code line -> false} ends the watch.
     */
    public void hangAnswerOf(Predicate<String> requestLine, boolean thenHangAll) {
        this.hangAllAfterAnswerOf = thenHangAll;
        this.hangAnswerOf = requestLine;
    }

    /** true: accept and never answer; false: forward. */
    public void hang(boolean hang) {
        this.hanging = hang;
    }

    /**
     * From the first request whose request line ({@code POST /index/_update/id?… HTTP/1.1})
     * matches, that connection hangs — this request and any after it on it are swallowed — while
     * other connections go on; {@code line -> false} ends it for connections not yet hung.
     */
    public void hangOn(Predicate<String> requestLine) {
        this.hangOn = requestLine;
    }

    /**
     * From the first request whose request line matches, the proxy hangs as {@link #hang}{@code (true)}
     * does — every connection, this request included — until told {@code hang(false)};
     * {@code line -> false} ends the watch.
     */
    public void hangAllFrom(Predicate<String> requestLine) {
        this.hangAllFrom = requestLine;
    }

    /** Each request waits this long before it is forwarded (0: none): slow, still answering. */
    public void delay(long millis) {
        this.delayMillis = millis;
    }

    /** How many requests were forwarded with their answers swallowed ({@link #hangAnswerOf}) so far. */
    public int answersHung() {
        return answersHung.get();
    }

    /** How many requests were forwarded so far (requests swallowed while hanging are not counted). */
    public int forwardedRequests() {
        return forwarded.get();
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket upstream = new Socket(target.getHost(), target.getPort());
                sockets.add(client);
                sockets.add(upstream);
                java.util.concurrent.atomic.AtomicBoolean answersSwallowed = new java.util.concurrent.atomic.AtomicBoolean();
                pump(client, upstream, true, answersSwallowed);
                pump(upstream, client, false, answersSwallowed);
            } catch (IOException e) {
                if (!listening.isClosed()) throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * Copies {@code from} to {@code to}; requests (client to Elasticsearch) are dropped while hanging,
     * answers (Elasticsearch to client) once {@code answersSwallowed} is set for their connection.
     */
    private void pump(Socket from, Socket to, boolean requests, java.util.concurrent.atomic.AtomicBoolean answersSwallowed) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            boolean connectionHung = false;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (requests) {
                        String line = requestLine(buffer, n);
                        if (line != null && hangOn.test(line)) connectionHung = true;
                        if (line != null && hangAllFrom.test(line)) hanging = true;
                        if (hanging || connectionHung) continue;
                        if (line != null && hangAnswerOf.test(line)) {
                            // set before the request goes on, so its answer cannot slip through
                            answersSwallowed.set(true);
                            answersHung.incrementAndGet();
                            hangAnswerOf = l -> false;
                            // this request still goes on: the check above is behind it
                            if (hangAllAfterAnswerOf) hanging = true;
                        }
                        if (line != null) {
                            forwarded.incrementAndGet();
                            pause(delayMillis);
                        }
                    }
                    if (!requests && answersSwallowed.get()) continue;
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException closed) {
                // either side went away: so does the other
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "hanging-proxy-pump");
        pump.setDaemon(true);
        pump.start();
    }

    /** The request line a chunk starts with, or null when it continues a request (its body). */
    private static String requestLine(byte[] buffer, int length) {
        String start = new String(buffer, 0, Math.min(length, 2048), StandardCharsets.ISO_8859_1);
        if (METHODS.stream().noneMatch(start::startsWith)) return null;
        int end = start.indexOf("\r\n");
        return end < 0 ? start : start.substring(0, end);
    }

    private static void pause(long millis) {
        if (millis <= 0) return;
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(HangingProxy::closeQuietly);
    }
}
