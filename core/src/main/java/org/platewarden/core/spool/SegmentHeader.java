package org.platewarden.core.spool;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The fixed header at the start of every segment file: magic, format version, the sequence
 * number of its first record, and a CRC32C of those 16 bytes. The first sequence number is
 * also in the file name; the header lets recovery notice a renamed or foreign file.
 */
final class SegmentHeader {
    static final int SIZE = 20;
    static final int MAGIC = 0x50575350; // "PWSP"
    static final int VERSION = 1;

    private SegmentHeader() {
    }

    static ByteBuffer encode(long firstSeq) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.putInt(MAGIC).putInt(VERSION).putLong(firstSeq);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 16);
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /** Returns null when the header is valid for {@code expectedFirstSeq}, else why it is not. */
    static String problem(ByteBuffer buf, long expectedFirstSeq) {
        if (buf.limit() < SIZE) return "file shorter than the segment header";
        if (buf.getInt(0) != MAGIC) return "bad magic";
        CRC32C crc = new CRC32C();
        ByteBuffer h = buf.duplicate();
        h.position(0).limit(16);
        crc.update(h);
        if ((int) crc.getValue() != buf.getInt(16)) return "header CRC mismatch";
        if (buf.getInt(4) != VERSION) return "unsupported format version " + buf.getInt(4);
        if (buf.getLong(8) != expectedFirstSeq) return "header first seq " + buf.getLong(8) + " does not match file name";
        return null;
    }
}
