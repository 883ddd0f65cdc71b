package org.platewarden.core.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One segment file as seen by readers: where its durable bytes end, a sparse index from
 * sequence number to frame position (one entry every {@link #INDEX_INTERVAL} bytes, like
 * Kafka's offset index, so memory stays small for large spools), and the holes left by
 * quarantined bytes, which readers jump over.
 */
final class Segment {
    static final int INDEX_INTERVAL = 4096;
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".log";

    final Path path;
    final long firstSeq;
    private final FileChannel reader;
    /** Bytes of the file that are fsynced and validated; readers never look beyond. */
    private volatile long durableSize;
    /** Hole start -> hole end (exclusive): quarantined bytes, found at recovery. */
    private final Map<Long, Long> holes = new ConcurrentSkipListMap<>();

    private long[] indexSeq = new long[16];
    private long[] indexPos = new long[16];
    private int indexCount;
    private long lastIndexedPos = Long.MIN_VALUE;

    private Segment(Path path, long firstSeq, FileChannel reader) {
        this.path = path;
        this.firstSeq = firstSeq;
        this.reader = reader;
    }

    static Segment open(Path path, long firstSeq) throws IOException {
        return new Segment(path, firstSeq, FileChannel.open(path, StandardOpenOption.READ));
    }

    static String fileName(long firstSeq) {
        return PREFIX + String.format("%020d", firstSeq) + SUFFIX;
    }

    /** The first sequence number encoded in a segment file name, or -1 if the name is not a segment's. */
    static long parseFirstSeq(String fileName) {
        if (!fileName.startsWith(PREFIX) || !fileName.endsWith(SUFFIX)) return -1;
        String digits = fileName.substring(PREFIX.length(), fileName.length() - SUFFIX.length());
        if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) return -1;
        return Long.parseLong(digits);
    }

    long durableSize() {
        return durableSize;
    }

    void durableSize(long size) {
        durableSize = size;
    }

    void addHole(long start, long end) {
        holes.put(start, end);
    }

    /** Records a frame position; sparse unless {@code always} (the first frame after a hole must be indexed). */
    synchronized void index(long seq, long pos, boolean always) {
        if (!always && indexCount > 0 && pos - lastIndexedPos < INDEX_INTERVAL) return;
        if (indexCount == indexSeq.length) {
            indexSeq = Arrays.copyOf(indexSeq, indexCount * 2);
            indexPos = Arrays.copyOf(indexPos, indexCount * 2);
        }
        indexSeq[indexCount] = seq;
        indexPos[indexCount] = pos;
        indexCount++;
        lastIndexedPos = pos;
    }

    /** Position of an indexed frame whose first seq is <= {@code seq} (start of the frames if none). */
    synchronized long floorPosition(long seq) {
        int lo = 0;
        int hi = indexCount - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (indexSeq[mid] <= seq) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? SegmentHeader.SIZE : indexPos[found];
    }

    /**
     * Appends records with seq in [fromSeq, toSeq] to {@code out} (up to {@code max} in total),
     * reading durable frames from disk.
     */
    void read(long fromSeq, long toSeq, int max, List<SpoolRecord> out) {
        long pos = floorPosition(fromSeq);
        long end = durableSize;
        ByteBuffer head = ByteBuffer.allocate(8);
        try {
            while (pos < end && out.size() < max) {
                Long holeEnd = holes.get(pos);
                if (holeEnd != null) {
                    pos = holeEnd;
                    continue;
                }
                head.clear();
                readFully(head, pos);
                int payloadLength = head.getInt(0);
                if (payloadLength < FrameCodec.PAYLOAD_HEADER || payloadLength > FrameCodec.MAX_PAYLOAD
                        || pos + FrameCodec.FRAME_OVERHEAD + payloadLength > end) {
                    throw corrupt(pos, "bad frame length " + payloadLength);
                }
                ByteBuffer frame = ByteBuffer.allocate(FrameCodec.FRAME_OVERHEAD + payloadLength);
                readFully(frame, pos);
                FrameCodec.FrameInfo info = FrameCodec.check(frame, 0, frame.limit());
                if (info == null) throw corrupt(pos, "frame fails its CRC or length check");
                if (info.lastSeq() >= fromSeq) {
                    if (info.firstSeq() > toSeq) return;
                    FrameCodec.collect(FrameCodec.block(frame, 0), info.firstSeq(), info.recordCount(), fromSeq, toSeq, max, out);
                }
                pos += info.length();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    private void readFully(ByteBuffer buf, long pos) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            int n = reader.read(buf, p);
            if (n < 0) throw new IOException("unexpected end of " + path + " at " + p);
            p += n;
        }
    }

    private UncheckedIOException corrupt(long pos, String why) {
        // Damage that appeared after recovery validated the file (bit rot, an outside writer);
        // a restart quarantines it. Failing the read is better than skipping records silently.
        return new UncheckedIOException(new IOException(path.getFileName() + " at offset " + pos + ": " + why
                + " (restart the spool to quarantine the damaged frame)"));
    }

    void close() {
        try {
            reader.close();
        } catch (IOException e) {
            // nothing useful to do: the file is being deleted or the spool closed
        }
    }
}
