package org.platewarden.core.spool;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The most recent durable frames, uncompressed, bounded in bytes: an indexer that keeps up
 * reads from here instead of re-reading and decompressing what was just written.
 */
final class RecentFrames {
    private record Frame(long firstSeq, int count, byte[] block) {
    }

    private final long maxBytes;
    private final NavigableMap<Long, Frame> frames = new TreeMap<>();
    private long bytes;

    RecentFrames(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    synchronized void add(long firstSeq, int count, byte[] block) {
        frames.put(firstSeq, new Frame(firstSeq, count, block));
        bytes += block.length;
        while (bytes > maxBytes && frames.size() > 1) {
            bytes -= frames.pollFirstEntry().getValue().block.length;
        }
    }

    /**
     * Serves the read if the cache holds {@code fromSeq}; frames are contiguous, so it then holds
     * everything up to the newest durable record. Returns false when the caller must go to disk.
     */
    synchronized boolean read(long fromSeq, long toSeq, int max, List<SpoolRecord> out) {
        Map.Entry<Long, Frame> start = frames.floorEntry(fromSeq);
        if (start == null || start.getValue().firstSeq + start.getValue().count <= fromSeq) return false;
        for (Frame f : frames.tailMap(start.getKey(), true).values()) {
            if (out.size() >= max || f.firstSeq > toSeq) break;
            FrameCodec.collect(f.block, f.firstSeq, f.count, fromSeq, toSeq, max, out);
        }
        return true;
    }
}
