package org.platewarden.indexer;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy in front of the shared Elasticsearch node, so a test can make Elasticsearch
 * "disappear" (refuse connections, cut open ones) without stopping the node other tests use.
 */
final class TcpProxy implements AutoCloseable {
    private final Vertx vertx;
    private final String targetHost;
    private final int targetPort;
    private final NetClient client;
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    private NetServer server;
    private int port;

    TcpProxy(Vertx vertx, String targetHost, int targetPort) {
        this.vertx = vertx;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.client = vertx.createNetClient();
    }

    /** Listens (on a free port the first time, then on the same port again). */
    synchronized int start() throws Exception {
        NetServer s = vertx.createNetServer().connectHandler(front -> {
            front.pause();
            sockets.add(front);
            client.connect(targetPort, targetHost).onComplete(ar -> {
                if (ar.failed()) {
                    front.close();
                    return;
                }
                NetSocket back = ar.result();
                sockets.add(back);
                front.closeHandler(v -> {
                    sockets.remove(front);
                    back.close();
                });
                back.closeHandler(v -> {
                    sockets.remove(back);
                    front.close();
                });
                front.handler(back::write);
                back.handler(front::write);
                front.resume();
            });
        });
        server = s.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
        return port;
    }

    int port() {
        return port;
    }

    /** Closes every open connection (requests in flight lose their answer) but keeps listening. */
    void cutConnections() {
        for (NetSocket s : sockets) s.close();
    }

    /** Stops listening (new connections are refused) and cuts every open connection. */
    synchronized void stop() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            server = null;
        }
        cutConnections();
    }

    @Override
    public void close() throws Exception {
        stop();
        client.close();
    }
}
