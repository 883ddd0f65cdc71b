package org.platewarden.core.spool;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The on-disk frame format. One append = one frame:
 * <pre>
 *   int   payloadLength
 *   int   CRC32C(payload)
 *   payload:
 *     long  firstSeq
 *     int   recordCount
 *     int   uncompressedSize     (size of the record block before compression)
 *     byte  codec                (0 = stored, 1 = LZ4 block)
 *     bytes block                (records, each as int length + bytes; LZ4-compressed when codec = 1)
 *   int   payloadLength          (trailing copy: a torn write shows up as a mismatch)
 * </pre>
 * All integers big-endian. The sequence number is unknown until the writer thread orders the
 * frame, so {@link #encode} leaves it (and the CRC that covers it) to {@link #seal}.
 */
final class FrameCodec {
    static final int FRAME_OVERHEAD = 12;
    static final int PAYLOAD_HEADER = 17;
    static final byte CODEC_STORED = 0;
    static final byte CODEC_LZ4 = 1;
    /** Upper bound of one append's record block; a frame is never split across segments. */
    static final int MAX_BLOCK_BYTES = 32 * 1024 * 1024;
    static final int MAX_PAYLOAD = PAYLOAD_HEADER + MAX_BLOCK_BYTES + MAX_BLOCK_BYTES / 255 + 16;

    private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();
    private static final LZ4Compressor COMPRESSOR = LZ4.fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4.safeDecompressor();

    private FrameCodec() {
    }

    /** An encoded but not yet sealed frame plus its uncompressed record block (kept for the read cache). */
    record Encoded(ByteBuffer frame, int recordCount, byte[] block) {
        int length() {
            return frame.remaining();
        }
    }

    /** Frame facts read back from disk. */
    record FrameInfo(long firstSeq, int recordCount, int length) {
        long lastSeq() {
            return firstSeq + recordCount - 1;
        }
    }

    static Encoded encode(List<byte[]> records) {
        long blockSize = 0;
        for (byte[] r : records) {
            if (r == null) throw new NullPointerException("null record");
            blockSize += 4L + r.length;
        }
        if (blockSize > MAX_BLOCK_BYTES) {
            throw new AppendTooLargeException("append of " + blockSize + " bytes exceeds the frame limit of " + MAX_BLOCK_BYTES);
        }
        byte[] block = new byte[(int) blockSize];
        ByteBuffer b = ByteBuffer.wrap(block);
        for (byte[] r : records) {
            b.putInt(r.length).put(r);
        }
        int maxCompressed = COMPRESSOR.maxCompressedLength(block.length);
        byte[] frame = new byte[FRAME_OVERHEAD + PAYLOAD_HEADER + Math.max(maxCompressed, block.length)];
        int dataOffset = 8 + PAYLOAD_HEADER;
        int compressed = COMPRESSOR.compress(block, 0, block.length, frame, dataOffset, maxCompressed);
        byte codec = CODEC_LZ4;
        if (compressed >= block.length) {
            // incompressible (tiny batches): storing is smaller and cheaper to read
            System.arraycopy(block, 0, frame, dataOffset, block.length);
            compressed = block.length;
            codec = CODEC_STORED;
        }
        int payloadLength = PAYLOAD_HEADER + compressed;
        ByteBuffer f = ByteBuffer.wrap(frame);
        f.putInt(0, payloadLength);
        f.putInt(16, records.size());
        f.putInt(20, block.length);
        f.put(24, codec);
        f.putInt(8 + payloadLength, payloadLength);
        int frameLength = FRAME_OVERHEAD + payloadLength;
        if (frame.length - frameLength > 64) {
            // the worst-case LZ4 buffer would otherwise sit in the queue and cache, unaccounted
            frame = java.util.Arrays.copyOf(frame, frameLength);
        }
        return new Encoded(ByteBuffer.wrap(frame, 0, frameLength), records.size(), block);
    }

    /** Stamps the sequence number and the CRC; called by the writer thread, which owns sequence order. */
    static void seal(ByteBuffer frame, long firstSeq) {
        int base = frame.position();
        frame.putLong(base + 8, firstSeq);
        int payloadLength = frame.getInt(base);
        CRC32C crc = new CRC32C();
        crc.update(frame.array(), frame.arrayOffset() + base + 8, payloadLength);
        frame.putInt(base + 4, (int) crc.getValue());
    }

    /**
     * Validates the frame starting at {@code pos} (length, CRC, trailing length, header sanity)
     * and returns its facts, or {@code null} if no valid frame starts there.
     */
    static FrameInfo check(ByteBuffer buf, int pos, int limit) {
        if (limit - pos < FRAME_OVERHEAD + PAYLOAD_HEADER) return null;
        int payloadLength = buf.getInt(pos);
        if (payloadLength < PAYLOAD_HEADER || payloadLength > MAX_PAYLOAD) return null;
        long end = (long) pos + FRAME_OVERHEAD + payloadLength;
        if (end > limit) return null;
        if (buf.getInt(pos + 8 + payloadLength) != payloadLength) return null;
        CRC32C crc = new CRC32C();
        ByteBuffer payload = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
        payload.limit(pos + 8 + payloadLength).position(pos + 8);
        crc.update(payload);
        if ((int) crc.getValue() != buf.getInt(pos + 4)) return null;
        long firstSeq = buf.getLong(pos + 8);
        int count = buf.getInt(pos + 16);
        int uncompressed = buf.getInt(pos + 20);
        byte codec = buf.get(pos + 24);
        if (firstSeq < 1 || count < 1 || uncompressed < 4L * count || uncompressed > MAX_BLOCK_BYTES
                || (codec != CODEC_STORED && codec != CODEC_LZ4)) {
            return null;
        }
        return new FrameInfo(firstSeq, count, FRAME_OVERHEAD + payloadLength);
    }

    /** Decompresses a validated frame (buffer positioned anywhere; {@code pos} = frame start) into its record block. */
    static byte[] block(ByteBuffer buf, int pos) {
        int payloadLength = buf.getInt(pos);
        int uncompressed = buf.getInt(pos + 20);
        byte codec = buf.get(pos + 24);
        int dataOffset = pos + 8 + PAYLOAD_HEADER;
        int dataLength = payloadLength - PAYLOAD_HEADER;
        byte[] block = new byte[uncompressed];
        if (codec == CODEC_STORED) {
            if (dataLength != uncompressed) throw new IllegalStateException("stored frame size mismatch");
            buf.duplicate().position(dataOffset).get(block);
            return block;
        }
        try {
            ByteBuffer src = buf.duplicate();
            int n = DECOMPRESSOR.decompress(src, dataOffset, dataLength, ByteBuffer.wrap(block), 0, uncompressed);
            if (n != uncompressed) throw new IllegalStateException("LZ4 block decoded to " + n + " bytes, header says " + uncompressed);
        } catch (LZ4Exception e) {
            throw new IllegalStateException("LZ4 block does not decode", e);
        }
        return block;
    }

    /**
     * Adds the records of a block with sequence numbers in [{@code fromSeq}, {@code toSeq}] to
     * {@code out} until it holds {@code max} records. Records are copied out of the block.
     */
    static void collect(byte[] block, long firstSeq, int count, long fromSeq, long toSeq, int max, List<SpoolRecord> out) {
        ByteBuffer b = ByteBuffer.wrap(block);
        for (int i = 0; i < count && out.size() < max; i++) {
            int len = b.getInt();
            if (len < 0 || len > b.remaining()) throw new IllegalStateException("record length " + len + " overruns block");
            long seq = firstSeq + i;
            if (seq > toSeq) return;
            if (seq >= fromSeq) {
                byte[] r = new byte[len];
                b.get(r);
                out.add(new SpoolRecord(seq, r));
            } else {
                b.position(b.position() + len);
            }
        }
    }
}
