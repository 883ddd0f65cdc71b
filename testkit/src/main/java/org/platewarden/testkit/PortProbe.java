package org.platewarden.testkit;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/** Watches a listening port from outside, as a client would. */
public final class PortProbe {
    private PortProbe() {
    }

    /**
     * Waits until 127.0.0.1:{@code port} takes no new connection (a stop has begun); fails after
     * {@code seconds}.
     */
    public static void awaitRefused(int port, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                Thread.sleep(20);
            } catch (IOException refused) {
                return;
            }
        }
        throw new AssertionError("port " + port + " still took connections " + seconds + " s after the stop began");
    }
}
