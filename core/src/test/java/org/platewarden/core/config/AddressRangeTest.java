package org.platewarden.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AddressRangeTest {

    @Test
    void aSingleAddressMatchesItselfOnly() {
        AddressRange one = AddressRange.parse("10.0.0.7");
        assertTrue(one.contains("10.0.0.7"));
        assertFalse(one.contains("10.0.0.8"));
        assertEquals("10.0.0.7/32", one.toString());
    }

    @Test
    void blocksMatchByPrefix() {
        AddressRange v4 = AddressRange.parse("192.168.16.0/20");
        assertTrue(v4.contains("192.168.31.255"));
        assertFalse(v4.contains("192.168.32.0"));
        assertEquals("192.168.16.0/20", AddressRange.parse("192.168.20.9/20").toString(), "host bits are masked");
        AddressRange v6 = AddressRange.parse("fd00::/8");
        assertTrue(v6.contains("fdab::1"));
        assertFalse(v6.contains("fe80::1"));
        assertFalse(v6.contains("10.0.0.1"), "an IPv4 address is never in an IPv6 block");
        assertTrue(AddressRange.parse("0.0.0.0/0").contains("203.0.113.1"));
    }

    @Test
    void ipv4MappedAddressesAreIpv4() {
        assertTrue(AddressRange.parse("127.0.0.1").contains("::ffff:127.0.0.1"));
        assertTrue(AddressRange.parse("::ffff:10.0.0.0/8").contains("10.2.3.4"));
        assertEquals("10.2.3.4", AddressRange.canonical("::FFFF:10.2.3.4"));
        assertEquals("::1", AddressRange.canonical("[0:0:0:0:0:0:0:1]"));
        assertTrue(AddressRange.parse("fe80::1").contains("fe80::1%eth0"));
    }

    @Test
    void namesAndBadPrefixesAreRefusedWithoutALookup() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("proxy.example.org")).getMessage()
                .contains("host names are not resolved"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("10.0.0.0/-1"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("10.0.0.0/+8"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("10.0.0.0/"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("fd00::/129"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse(" "));
        assertNull(AddressRange.literal("unknown"));
        assertNull(AddressRange.literal("1.2.3"));
    }
}
