package org.platewarden.core.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates every frame of every segment when the spool is opened (length, CRC32C, trailing
 * length, sequence continuity) and decides what to do with what does not validate:
 * <ul>
 *   <li>invalid bytes at the end of the last segment, with no valid frame after them, are a torn
 *       tail from a crash before the fsync (never acknowledged): truncated;</li>
 *   <li>invalid bytes followed by valid data (in the same or a later segment) are damage:
 *       quarantined (copied out with a note, logged, reported), the valid data after them kept;</li>
 *   <li>a jump in sequence numbers without damaged bytes (e.g. a deleted file) is reported too;</li>
 *   <li>zeros after the last valid frame are the unused part of a preallocated segment
 *       ({@link SegmentPreallocator}) when a crash kept the writer from cutting it back: neither
 *       damage nor a torn tail, so kept (the writer overwrites them) and not reported.</li>
 * </ul>
 * Nothing is skipped silently: the lost sequence numbers are always covered by a reported range.
 */
final class SpoolRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolRecovery.class);

    record Result(List<Segment> segments, long nextSeq, long lastSegmentEnd, boolean mustRoll,
                  List<QuarantinedRange> quarantined) {
    }

    /**
     * Damage at the end of a non-last segment; its lost range ends where the next segment starts
     * (closed by {@link #segmentBoundary}, which every later segment passes, even a dropped one).
     */
    private record OpenDamage(Path segment, ByteBuffer bytes, long offset, long length, long firstLostSeq, String reason) {
    }

    private final Path dir;
    private final long checkpoint;
    private final Quarantine quarantine;
    private final List<QuarantinedRange> ranges = new ArrayList<>();
    private OpenDamage openDamage;

    private SpoolRecovery(Path dir, long checkpoint, Quarantine quarantine) {
        this.dir = dir;
        this.checkpoint = checkpoint;
        this.quarantine = quarantine;
    }

    static Result recover(Path dir, long checkpoint, Quarantine quarantine) throws IOException {
        return new SpoolRecovery(dir, checkpoint, quarantine).run();
    }

    static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> Segment.parseFirstSeq(p.getFileName().toString()) >= 0)
                    .sorted((a, b) -> Long.compare(Segment.parseFirstSeq(a.getFileName().toString()),
                            Segment.parseFirstSeq(b.getFileName().toString())))
                    .toList();
        }
    }

    private Result run() throws IOException {
        List<Path> files = segmentFiles(dir);
        List<Segment> segments = new ArrayList<>();
        long expected = -1;
        long lastEnd = -1;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            boolean last = i == files.size() - 1;
            long firstSeq = Segment.parseFirstSeq(file.getFileName().toString());
            expected = segmentBoundary(file, firstSeq, expected);
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE) throw new IOException(file + " is larger than a segment can be");
            MappedByteBuffer buf;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            }
            String headerProblem = SegmentHeader.problem(buf, firstSeq);
            if (last && headerProblem != null && size <= SegmentHeader.SIZE) {
                // created but the header never reached the disk: nothing in it was ever acknowledged
                LOG.warn("deleting torn new segment {} ({} bytes: {})", file.getFileName(), size, headerProblem);
                Files.delete(file);
                Fsync.directory(dir);
                continue;
            }
            Segment segment = Segment.open(file, firstSeq);
            ScanResult scan = scan(segment, buf, (int) size, expected, headerProblem, last);
            expected = scan.expected;
            if (scan.dropSegment) {
                // the newest segment holds nothing readable, not even its header: keep the bytes as
                // evidence, then start afresh at the sequence number its name promises
                ranges.add(quarantine.record(file, buf, 0, size, expected, expected - 1,
                        "unreadable newest segment removed (" + headerProblem + ")"));
                segment.close();
                Files.delete(file);
                Fsync.directory(dir);
                continue;
            }
            segment.durableSize(scan.end);
            segments.add(segment);
            if (last) lastEnd = scan.end;
        }
        long nextSeq = expected < 0 ? checkpoint + 1 : expected;
        // when the newest file was dropped, the one before it was scanned as complete (it was
        // fsynced before the roll): the writer must not reopen it, it starts a fresh segment
        boolean mustRoll = !segments.isEmpty() && lastEnd < 0;
        if (nextSeq <= checkpoint) {
            LOG.error("spool checkpoint {} is beyond the last record on disk ({}); continuing at {}",
                    checkpoint, nextSeq - 1, checkpoint + 1);
            nextSeq = checkpoint + 1;
            mustRoll = true;
        }
        return new Result(segments, nextSeq, lastEnd, mustRoll, List.copyOf(ranges));
    }

    /** Checks the first seq of a segment against what the previous one ended with; returns the new expectation. */
    private long segmentBoundary(Path file, long firstSeq, long expected) throws IOException {
        if (expected < 0) {
            if (firstSeq > checkpoint + 1) {
                gap(file, 0, checkpoint + 1, firstSeq - 1, "records after the checkpoint missing before the oldest segment");
            }
            return firstSeq;
        }
        if (firstSeq < expected) {
            throw new IOException("segment " + file.getFileName() + " starts at seq " + firstSeq
                    + " but the previous segment already reached " + (expected - 1) + "; the spool needs manual repair");
        }
        if (openDamage != null) {
            closeOpenDamage(firstSeq - 1);
        } else if (firstSeq > expected) {
            gap(file, 0, expected, firstSeq - 1, "sequence gap between segments");
        }
        return firstSeq;
    }

    private record ScanResult(long expected, long end, boolean dropSegment) {
    }

    private ScanResult scan(Segment segment, ByteBuffer buf, int size, long expected, String headerProblem,
                            boolean last) throws IOException {
        int pos = SegmentHeader.SIZE;
        int damageStart = -1;
        String damageReason = null;
        if (headerProblem != null) {
            damageStart = 0;
            damageReason = "segment header: " + headerProblem;
        }
        boolean indexNext = true;
        int dataEnd = endOfNonZero(buf, SegmentHeader.SIZE, size);
        while (pos < size) {
            FrameCodec.FrameInfo frame = FrameCodec.check(buf, pos, size);
            if (frame == null || frame.firstSeq() < expected) {
                if (damageStart < 0) {
                    damageStart = pos;
                    damageReason = frame == null ? "frame fails its length/CRC32C/trailing-length check"
                            : "frame repeats sequence numbers " + frame.firstSeq() + ".." + frame.lastSeq();
                }
                pos = frame == null ? nextValidFrame(buf, pos + 1, size, dataEnd) : pos + frame.length();
                continue;
            }
            if (damageStart >= 0) {
                ranges.add(quarantine.record(segment.path, buf, damageStart, pos - damageStart,
                        expected, frame.firstSeq() - 1, damageReason));
                segment.addHole(damageStart, pos);
                damageStart = -1;
                indexNext = true;
            } else if (frame.firstSeq() > expected) {
                gap(segment.path, pos, expected, frame.firstSeq() - 1, "sequence gap between valid frames");
            }
            segment.index(frame.firstSeq(), pos, indexNext);
            indexNext = false;
            expected = frame.lastSeq() + 1;
            pos += frame.length();
        }
        if (damageStart < 0) return new ScanResult(expected, size, false);
        if (damageStart >= SegmentHeader.SIZE && damageStart >= dataEnd) {
            LOG.info("{}: {} zero bytes after offset {} are unused preallocated space", segment.path.getFileName(),
                    size - damageStart, damageStart);
            return new ScanResult(expected, damageStart, false);
        }
        if (!last) {
            openDamage = new OpenDamage(segment.path, buf, damageStart, size - damageStart, expected, damageReason);
            segment.addHole(damageStart, size);
            return new ScanResult(expected, size, false);
        }
        if (damageStart == 0) return new ScanResult(expected, 0, true);
        // torn tail: written after the last fsync, so never acknowledged
        LOG.warn("truncating torn tail of {}: {} bytes after offset {} ({})", segment.path.getFileName(),
                size - damageStart, damageStart, damageReason);
        try (FileChannel ch = FileChannel.open(segment.path, StandardOpenOption.WRITE)) {
            ch.truncate(damageStart);
            ch.force(true);
        }
        return new ScanResult(expected, damageStart, false);
    }

    /**
     * The next offset where a valid frame starts, or {@code size} if none: tells damage from a torn
     * tail. A frame starts with its non-zero length, so none starts at or after {@code dataEnd}
     * (see {@link #endOfNonZero}): the zeros of a preallocated segment are not searched byte by byte.
     */
    private static int nextValidFrame(ByteBuffer buf, int from, int size, int dataEnd) {
        int last = Math.min(dataEnd - 1, size - FrameCodec.FRAME_OVERHEAD - FrameCodec.PAYLOAD_HEADER);
        for (int p = from; p <= last; p++) {
            if (FrameCodec.check(buf, p, size) != null) return p;
        }
        return size;
    }

    /** One past the last non-zero byte at or after {@code from}, or {@code from} if every byte there is zero. */
    static int endOfNonZero(ByteBuffer buf, int from, int size) {
        int p = size;
        while (p - 8 >= from && buf.getLong(p - 8) == 0) p -= 8;
        while (p > from && buf.get(p - 1) == 0) p--;
        return p;
    }

    private void closeOpenDamage(long lastLostSeq) throws IOException {
        OpenDamage d = openDamage;
        openDamage = null;
        ranges.add(quarantine.record(d.segment, d.bytes, d.offset, d.length, d.firstLostSeq, lastLostSeq, d.reason));
    }

    private void gap(Path segment, long offset, long firstLost, long lastLost, String reason) throws IOException {
        ranges.add(quarantine.record(segment, null, offset, 0, firstLost, lastLost, reason));
    }
}
