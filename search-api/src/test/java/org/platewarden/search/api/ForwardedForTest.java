package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.AddressRange;
import org.platewarden.search.audit.ClientAddress;

class ForwardedForTest {
    private final ForwardedFor lb = new ForwardedFor(List.of(AddressRange.parse("10.0.0.0/8"), AddressRange.parse("fd00::/8")));

    @Test
    void anUntrustedPeerIsTheClientWhateverTheHeaderSays() {
        assertEquals(ClientAddress.direct("203.0.113.5"), lb.resolve("203.0.113.5", List.of("10.1.1.1")));
        assertEquals(ClientAddress.direct("203.0.113.5"), new ForwardedFor(List.of()).resolve("203.0.113.5", List.of("198.51.100.1")));
    }

    @Test
    void theRightmostUntrustedEntryIsTheClient() {
        // the client forged 1.2.3.4; the load balancer at 10.0.0.2 saw 198.51.100.7
        assertEquals(new ClientAddress("198.51.100.7", "10.0.0.2"), lb.resolve("10.0.0.2", List.of("1.2.3.4, 198.51.100.7")));
        // two trusted hops: each passes on to the one before it; headers given twice are one list
        assertEquals(new ClientAddress("198.51.100.7", "10.0.0.2"), lb.resolve("10.0.0.2", List.of("1.2.3.4, 198.51.100.7", "10.9.9.9")));
    }

    @Test
    void entriesAreCanonicalAndIpv4MappedPeersAreTrusted() {
        assertEquals(new ClientAddress("198.51.100.7", "10.0.0.2"), lb.resolve("::ffff:10.0.0.2", List.of(" ::FFFF:198.51.100.7 ")));
        // a direct client is spelled the same way (RFC 5952), not as Java prints it
        assertEquals(ClientAddress.direct("::1"), lb.resolve("0:0:0:0:0:0:0:1", List.of()));
        assertEquals(new ClientAddress("2001:db8::1", "fd00::1"), lb.resolve("fd00::1", List.of("[2001:DB8:0::1]")));
    }

    @Test
    void whatIsNotAnAddressEndsTheWalkAtTheLastTrustedHop() {
        assertEquals(new ClientAddress("10.9.9.9", "10.0.0.2"), lb.resolve("10.0.0.2", List.of("198.51.100.7, unknown, 10.9.9.9")));
        assertEquals(ClientAddress.direct("10.0.0.2"), lb.resolve("10.0.0.2", List.of("evil.example")));
        assertEquals(ClientAddress.direct("10.0.0.2"), lb.resolve("10.0.0.2", List.of("")));
        assertEquals(ClientAddress.direct("10.0.0.2"), lb.resolve("10.0.0.2", List.of()));
    }

    @Test
    void onlyTrustedEntriesMeansTheLeftmostIsTheClient() {
        assertEquals(new ClientAddress("10.3.3.3", "10.0.0.2"), lb.resolve("10.0.0.2", List.of("10.3.3.3, 10.4.4.4")));
    }
}
