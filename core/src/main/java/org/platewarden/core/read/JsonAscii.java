package org.platewarden.core.read;

/**
 * Characters a JSON string holds as one byte, unescaped: printable ASCII except quote and
 * backslash. The hot writers (index terms, bulk action lines) copy such text byte by byte and
 * leave anything else to Jackson's escaping.
 */
public final class JsonAscii {
    private JsonAscii() {
    }

    public static boolean plain(char c) {
        return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    }
}
