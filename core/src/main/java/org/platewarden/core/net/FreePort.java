package org.platewarden.core.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * A port free now, for a configured port 0 that must be the same for several servers: Vert.x shares
 * a port between servers only when it is given (each asking for port 0 would get one of its own).
 * Another process could take it before it is bound; the bind then fails, as for a configured port.
 */
public final class FreePort {
    private FreePort() {
    }

    public static int pick() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
