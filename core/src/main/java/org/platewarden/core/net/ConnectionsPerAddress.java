package org.platewarden.core.net;

import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open connections of each client address against a cap (0 = no cap): what lets a port refuse a
 * client that holds too many, while other addresses are served as before. Thread-safe (the servers
 * of every event loop share one); an address has an entry only while it has a connection open.
 */
public final class ConnectionsPerAddress {
    private final int max;
    private final Map<String, Integer> open = new ConcurrentHashMap<>();

    /** @param max open connections one address may have; 0 = no cap */
    public ConnectionsPerAddress(int max) {
        this.max = max;
    }

    public int max() {
        return max;
    }

    /** Counts a new connection of {@code address}; false (and not counted) if the address has {@code max} open already. */
    public boolean reserve(String address) {
        boolean[] ok = {true};
        open.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            if (max > 0 && count >= max) {
                ok[0] = false;
                return n;
            }
            return count + 1;
        });
        return ok[0];
    }

    /** One connection {@link #reserve reserved} for {@code address} closed. */
    public void release(String address) {
        open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** How many connections {@code address} has open. */
    public int open(String address) {
        return open.getOrDefault(address, 0);
    }

    /** The key of a peer: its IP address (IPv4, or the full IPv6 address), {@code unknown} when it has none. */
    public static String address(SocketAddress remote) {
        return remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    }
}
