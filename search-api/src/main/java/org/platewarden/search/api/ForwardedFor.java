package org.platewarden.search.api;

import java.util.ArrayList;
import java.util.List;
import org.platewarden.core.config.AddressRange;
import org.platewarden.search.audit.ClientAddress;

/**
 * Finds a request's client behind trusted proxies ({@code search.trusted_proxies}). Each proxy
 * appends the address it received the request from to {@code X-Forwarded-For}, so the list is read
 * from the right: the peer must be a trusted proxy for the header to be read at all, each trusted
 * entry passes on to the one before it, and the first entry that is not a trusted proxy is the
 * client — the address a trusted proxy saw, which the client cannot forge. Entries further left were
 * written by the client or by untrusted hops and are ignored. An entry that is not an IP address
 * (a proxy that writes {@code unknown}, or a garbled header) ends the walk: the last trusted hop is
 * then named as the client, the only address known not to be forged.
 */
final class ForwardedFor {
    static final String HEADER = "X-Forwarded-For";

    private final List<AddressRange> trusted;

    ForwardedFor(List<AddressRange> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /**
     * @param socketPeer the connection's peer address (null when the transport gives none)
     * @param headers every {@code X-Forwarded-For} header of the request, in order
     */
    ClientAddress resolve(String socketPeer, List<String> headers) {
        // one spelling for every record (RFC 5952, an IPv4-mapped peer as IPv4), whoever names the client
        String canonicalPeer = AddressRange.canonical(socketPeer);
        String peer = canonicalPeer == null ? socketPeer : canonicalPeer;
        if (peer == null || trusted.isEmpty() || !isTrusted(peer) || headers.isEmpty()) return ClientAddress.direct(peer);
        List<String> hops = new ArrayList<>();
        for (String header : headers) {
            for (String hop : header.split(",")) hops.add(hop.strip());
        }
        String lastTrusted = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            String canonical = AddressRange.canonical(hop);
            if (canonical == null) break;
            if (!isTrusted(canonical)) return new ClientAddress(canonical, peer);
            lastTrusted = canonical;
        }
        return lastTrusted.equals(peer) ? ClientAddress.direct(peer) : new ClientAddress(lastTrusted, peer);
    }

    private boolean isTrusted(String address) {
        byte[] bytes = AddressRange.literal(address);
        if (bytes == null) return false;
        for (AddressRange r : trusted) if (r.contains(bytes)) return true;
        return false;
    }
}
