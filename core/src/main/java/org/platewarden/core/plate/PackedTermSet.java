package org.platewarden.core.plate;

/**
 * A tiny open-addressing set of short plate terms packed into longs (6 bits a character over
 * A-Z, 0-9 and the anchors {@code ^ $}; at most 10 characters), used to de-duplicate the index
 * terms of one read without hashing Strings. Terms that do not fit are the caller's to handle.
 */
final class PackedTermSet {
    static final int MAX_CHARS = 10;
    private final long[] slots;
    private final int mask;

    PackedTermSet(int expected) {
        int capacity = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
        slots = new long[capacity];
        mask = capacity - 1;
    }

    /**
     * Each character's code, or null when one has none (then the caller uses a String set). Computed
     * once per plate: {@link #add} runs ~50 times per indexed read over the same characters, and
     * mapping each character again there was most of its cost (JFR, thirteenth session).
     */
    static byte[] codes(char[] chars) {
        byte[] codes = new byte[chars.length];
        for (int i = 0; i < chars.length; i++) {
            int code = code(chars[i]);
            if (code == 0) return null;
            codes[i] = (byte) code;
        }
        return codes;
    }

    /**
     * Adds the term of {@code codes[from, from+len)} without the positions {@code skipA} and
     * {@code skipB} (-1: none); at most {@link #MAX_CHARS} positions kept. Returns false when it was
     * already present.
     */
    boolean add(byte[] codes, int from, int len, int skipA, int skipB) {
        long key = 0;
        for (int p = from; p < from + len; p++) {
            if (p != skipA && p != skipB) key = (key << 6) | codes[p];
        }
        // codes start at 1, so no term packs to 0 and 0 can mark an empty slot; the empty string
        // (all deleted) is the one exception and gets its own marker
        if (key == 0) key = Long.MIN_VALUE;
        int i = (int) (mix(key) & mask);
        while (true) {
            long slot = slots[i];
            if (slot == 0) {
                slots[i] = key;
                return true;
            }
            if (slot == key) return false;
            i = (i + 1) & mask;
        }
    }

    private static long mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    private static int code(char c) {
        if (c >= '0' && c <= '9') return 1 + (c - '0');
        if (c >= 'A' && c <= 'Z') return 11 + (c - 'A');
        if (c == PlateIndexTerms.START) return 37;
        if (c == PlateIndexTerms.END) return 38;
        return 0;
    }
}
