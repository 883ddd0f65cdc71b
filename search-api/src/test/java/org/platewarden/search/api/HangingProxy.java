package org.platewarden.search.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of the tests' Elasticsearch that can be told to hang, as a node stopped with
 * SIGSTOP does: connections are still accepted (the kernel completes the handshake), but nothing
 * sent is answered — the requests on open connections and new ones alike are swallowed. Told to
 * answer again, it forwards as before. The shared node itself is never touched.
 */
final class HangingProxy implements AutoCloseable {
    private final URI target;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean hanging;

    HangingProxy(String targetUrl) throws IOException {
        this.target = URI.create(targetUrl);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "hanging-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The proxy's URL, for the code under test. */
    String url() {
        return target.getScheme() + "://127.0.0.1:" + server.getLocalPort();
    }

    /** true: accept and never answer; false: forward. */
    void hang(boolean hang) {
        this.hanging = hang;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getHost(), target.getPort());
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (IOException e) {
                if (!server.isClosed()) throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Copies {@code from} to {@code to}; requests (client to Elasticsearch) are dropped while hanging. */
    private void pump(Socket from, Socket to, boolean requests) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (requests && hanging) continue;
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
