package org.platewarden.core.config;

import io.netty.util.NetUtil;
import java.util.Arrays;
import java.util.Locale;

/**
 * An IP address or CIDR block ({@code 10.0.0.7}, {@code 10.0.0.0/8}, {@code fd00::/8}), as
 * {@code search.trusted_proxies} lists them. Parsing takes literals only: a host name is refused
 * rather than resolved, since a DNS lookup would block and its answer could change under the
 * configuration. An IPv4 address written IPv4-mapped in IPv6 ({@code ::ffff:10.0.0.7}) is the IPv4
 * address, so a proxy is matched however the socket reports it.
 */
public record AddressRange(byte[] network, int prefixBits) {

    /** Parses {@code ADDRESS} or {@code ADDRESS/BITS}; the message of the exception says what is wrong. */
    public static AddressRange parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("an empty entry");
        String s = text.strip();
        int slash = s.indexOf('/');
        byte[] address = literal(slash < 0 ? s : s.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block (host names are not resolved)");
        }
        int max = address.length * 8;
        int bits = max;
        if (slash >= 0) {
            String suffix = s.substring(slash + 1);
            try {
                bits = Integer.parseInt(suffix);
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > max || !suffix.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + max);
            }
        }
        return new AddressRange(mask(address, bits), bits);
    }

    /** Whether the address (a literal as a socket or a header gives it) lies in this range. */
    public boolean contains(String address) {
        byte[] a = literal(address);
        return a != null && contains(a);
    }

    public boolean contains(byte[] address) {
        if (address.length != network.length) return false;
        return Arrays.equals(mask(address, prefixBits), network);
    }

    /**
     * The bytes of an IP literal (4 for IPv4, 16 for IPv6; IPv4-mapped IPv6 as 4), or null when the
     * text is not one. Brackets around IPv6 ({@code [::1]}) and a zone ({@code fe80::1%eth0}) are
     * allowed. No name resolution.
     */
    public static byte[] literal(String text) {
        if (text == null) return null;
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
        int zone = s.indexOf('%');
        if (zone >= 0) s = s.substring(0, zone);
        if (s.isEmpty()) return null;
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s.toLowerCase(Locale.ROOT));
        if (bytes == null) return null;
        if (bytes.length == 16 && isIpv4Mapped(bytes)) return Arrays.copyOfRange(bytes, 12, 16);
        return bytes;
    }

    /** The canonical text of an IP literal ({@code ::ffff:10.0.0.7} → {@code 10.0.0.7}), or null when it is not one. */
    public static String canonical(String text) {
        byte[] bytes = literal(text);
        return bytes == null ? null : NetUtil.bytesToIpAddress(bytes);
    }

    /**
     * The ways a record may spell the address {@code text}: as given, RFC 5952's ({@code ::1}) and
     * Java's uncompressed form ({@code 0:0:0:0:0:0:0:1}, which records of direct IPv6 clients
     * written before the twenty-sixth session carry). Just the text when it is not an IP literal.
     */
    public static java.util.Set<String> spellings(String text) {
        java.util.Set<String> forms = new java.util.LinkedHashSet<>();
        forms.add(text);
        byte[] bytes = literal(text);
        if (bytes != null) {
            forms.add(NetUtil.bytesToIpAddress(bytes));
            try {
                forms.add(java.net.InetAddress.getByAddress(bytes).getHostAddress()); // from bytes: no lookup
            } catch (java.net.UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        return forms;
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) if (b[i] != 0) return false;
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    private static byte[] mask(byte[] address, int bits) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressRange r && r.prefixBits == prefixBits && Arrays.equals(r.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixBits;
    }

    @Override
    public String toString() {
        return NetUtil.bytesToIpAddress(network) + "/" + prefixBits;
    }
}
