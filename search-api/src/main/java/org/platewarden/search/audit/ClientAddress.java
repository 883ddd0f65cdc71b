package org.platewarden.search.audit;

/**
 * Where a request came from, as its audit record names it: {@code address} is the client;
 * {@code proxyAddress} is the trusted proxy it came through when the client was taken from that
 * proxy's {@code X-Forwarded-For} ({@code search.trusted_proxies}), null when the client connected
 * itself (or no proxy is trusted). An auditor then sees both, and can tell a forwarded address from
 * a peer.
 */
public record ClientAddress(String address, String proxyAddress) {

    /** A client that connected to the search API itself. */
    public static ClientAddress direct(String address) {
        return new ClientAddress(address, null);
    }
}
