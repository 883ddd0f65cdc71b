package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * Where the intact records end in the last bytes of a preallocated audit journal
 * ({@link AuditJournal}): the records run, one per line, up to the first line that is blank
 * (padding, or a gap a torn write left) or not an audit record (part of one). Byte logic only.
 */
final class TornTail {
    private TornTail() {
    }

    /** Padding: the newlines the journal is preallocated with, or zeros a crash can leave. */
    static boolean isPadding(byte b) {
        return b == '\n' || b == 0;
    }

    /**
     * @param tail          the journal's bytes up to its content end (just after its last byte that is not padding)
     * @param fromFileStart whether {@code tail[0]} is the file's first byte
     * @param windowStart   offset in {@code tail} after which a torn write can have left something; the
     *                      line it falls in, and every line before, is intact
     * @param lastLineEnded whether a newline follows the content end in the file
     * @return the offset in {@code tail} just after the last intact record's newline ({@code tail.length + 1}
     *         if every line is intact), 0 if there is none in a tail that starts the file, or -1 if the
     *         line at {@code windowStart} does not start within {@code tail}
     */
    static long intactEnd(byte[] tail, boolean fromFileStart, long windowStart, boolean lastLineEnded) {
        int pos;
        if (windowStart <= 0) {
            if (!fromFileStart) return -1;
            pos = 0;
        } else {
            pos = lineStartBefore(tail, (int) windowStart);
            if (pos < 0) {
                if (!fromFileStart) return -1;
                pos = 0;
            }
        }
        while (pos < tail.length) {
            int newline = indexOf(tail, (byte) '\n', pos);
            int lineEnd = newline >= 0 ? newline : tail.length;
            if (lineEnd == pos) return pos; // blank: padding, or the gap a torn write left
            if (newline < 0 && !lastLineEnded) return pos; // its newline never reached the disk
            if (!isRecord(tail, pos, lineEnd)) return pos;
            pos = lineEnd + 1;
        }
        return pos;
    }

    /** The start of the line holding the byte before {@code index} — just after the newline before that — or -1 if no newline precedes it. */
    static int lineStartBefore(byte[] tail, int index) {
        for (int i = Math.min(index, tail.length) - 1; i >= 0; i--) {
            if (tail[i] == '\n') return i + 1;
        }
        return -1;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) return i;
        }
        return -1;
    }

    private static boolean isRecord(byte[] bytes, int from, int to) {
        return record(bytes, from, to) != null;
    }

    /** The audit record (an object with a seq and a hash) in {@code bytes[from, to)}, or null if it is not one. */
    static ObjectNode record(byte[] bytes, int from, int to) {
        try {
            JsonNode node = CanonicalJson.parse(new String(bytes, from, to - from, StandardCharsets.UTF_8));
            return node instanceof ObjectNode o && o.has(AuditDocument.SEQ) && o.has(AuditDocument.HASH) ? o : null;
        } catch (IllegalArgumentException notJson) {
            return null;
        }
    }
}
