package org.platewarden.core.spool;

import java.io.IOException;
import java.util.function.LongSupplier;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.platewarden.core.io.ChannelOpener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single thread that owns the end of the log (group commit): it waits out the group commit
 * interval since the previous commit began, takes everything queued,
 * gives the frames their sequence numbers, writes them with one gathering write, fsyncs once,
 * and only then publishes them to readers and completes the appenders' futures. It rolls to a
 * new segment when the current one would exceed the segment size. On any write or fsync error
 * it stops for good (fail-stop): after a failed fsync the state of the page cache is unknown,
 * so nothing written since the last good fsync may be acknowledged. A file system with less free
 * space than a batch needs (plus {@link #DISK_RESERVE_BYTES}) is not such an error: the batch is
 * refused as full before anything of it is written, and the next one is tried as usual, so a full
 * disk is a 429 that clears once space is freed, not a failed spool that only a restart mends.
 * While the disk is full the thread also looks again every {@link #DISK_RECHECK_MILLIS} without
 * waiting for an append, so {@link #diskFull()} (readiness) clears once there is room even when
 * nothing is being sent.
 *
 * <p>With a {@link SegmentPreallocator}, a new segment is the preallocator's zero-filled spare,
 * renamed after its header is durable, and a finished segment is cut back to its last frame
 * before the roll and on close; only a crash leaves zeros after the last frame, which recovery
 * reads as unused space.
 */
final class SpoolWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolWriter.class);
    private static final PendingAppend STOP = new PendingAppend(null);
    /**
     * Free space a batch must leave on the spool's file system: room for the checkpoint, dead
     * letters and the logs, which share it, so that the disk never fills under a write.
     */
    static final long DISK_RESERVE_BYTES = 16L * 1024 * 1024;
    /** While the disk is full, how often the free space is looked at again without an append. */
    static final long DISK_RECHECK_MILLIS = 1000;

    private final BlockingQueue<PendingAppend> queue = new LinkedBlockingQueue<>();
    private final Path dir;
    private final long segmentBytes;
    private final ChannelOpener opener;
    private final LongSupplier usableBytes;
    /**
     * Whether the last batch was refused for want of disk space and no room for it has been seen
     * since. Written on this thread, read by any.
     */
    private volatile boolean diskFull;
    /** The WARN and INFO of disk-full episodes, which a disk hovering at the threshold must not repeat at every turn. */
    private final DiskFullLog diskFullLog;
    /** The free space the last refused batch needed. */
    private long refusedNeeded;
    private final SegmentedSpool spool;
    private final SpoolMetrics metrics;
    /** Null when preallocation is off. */
    private final SegmentPreallocator preallocator;
    /** Least time between the starts of two group commits; see {@code SpoolConfig.groupCommitIntervalMicros}. */
    private final long groupCommitIntervalNanos;
    private long lastCommitNanos;

    private FileChannel out;
    private Segment current;
    private long currentSize;
    private long nextSeq;
    private boolean mustRoll;
    private boolean spareRequested;
    private volatile SpoolFailedException failure;

    SpoolWriter(Path dir, long segmentBytes, long groupCommitIntervalNanos, ChannelOpener opener, LongSupplier usableBytes,
                SegmentedSpool spool, SpoolMetrics metrics, SegmentPreallocator preallocator, Segment last, long lastEnd, long nextSeq,
                boolean mustRoll) throws IOException {
        this.dir = dir;
        this.usableBytes = usableBytes;
        this.diskFullLog = new DiskFullLog(dir);
        this.preallocator = preallocator;
        this.groupCommitIntervalNanos = groupCommitIntervalNanos;
        this.lastCommitNanos = System.nanoTime() - groupCommitIntervalNanos;
        this.segmentBytes = segmentBytes;
        this.opener = opener;
        this.spool = spool;
        this.metrics = metrics;
        this.nextSeq = nextSeq;
        this.mustRoll = mustRoll;
        if (last != null && !mustRoll && lastEnd >= SegmentHeader.SIZE) {
            current = last;
            currentSize = lastEnd;
            out = opener.open(last.path, StandardOpenOption.WRITE);
            out.position(lastEnd);
        }
    }

    SpoolFailedException failure() {
        return failure;
    }

    boolean diskFull() {
        return diskFull;
    }

    /** Queues an append; the caller has checked admission. */
    void submit(PendingAppend p) {
        queue.add(p);
    }

    /** Asks the thread to finish what is queued and exit; no submit may follow. */
    void stop() {
        queue.add(STOP);
    }

    @Override
    public void run() {
        List<PendingAppend> batch = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            batch.clear();
            batch.add(takeUninterruptibly());
            awaitGroupCommitInterval();
            queue.drainTo(batch);
            if (batch.get(batch.size() - 1) == STOP) {
                batch.remove(batch.size() - 1);
                stopping = true;
            }
            List<PendingAppend> retireRequests = takeRetireRequests(batch);
            if (!batch.isEmpty()) append(batch);
            if (!retireRequests.isEmpty()) retireIfDone(retireRequests);
        }
        closeQuietly();
    }

    private void append(List<PendingAppend> batch) {
        if (failure != null) {
            failAll(batch, failure);
            return;
        }
        try {
            writeBatch(batch);
        } catch (SpoolFullException noRoom) {
            spool.refused(batch, noRoom);
        } catch (Throwable t) {
            failure = new SpoolFailedException("spool write or fsync failed; the spool refuses further appends", t);
            LOG.error("spool writer failed in {}: fail-stop, {} pending appends failed", dir, batch.size(), t);
            failAll(batch, failure);
        }
    }

    /** Removes the requests to retire the newest segment from {@code batch}, in which they came among appends. */
    private static List<PendingAppend> takeRetireRequests(List<PendingAppend> batch) {
        List<PendingAppend> requests = new ArrayList<>(0);
        for (java.util.Iterator<PendingAppend> it = batch.iterator(); it.hasNext(); ) {
            PendingAppend p = it.next();
            if (p.retire) {
                requests.add(p);
                it.remove();
            }
        }
        return requests;
    }

    /**
     * Starts a new segment when the current one holds a record at or below the checkpoint (done:
     * indexed or dead-lettered), so the current one becomes an older segment, deleted once all its
     * records are done. Else the newest segment of a quiet spool kept reads already indexed until
     * a segment's worth more arrived, which may be months: past the retention their indices keep.
     * An empty segment, or one whose records all wait for the indexer, is left as it is. Without
     * room on the disk for a new segment's header (and the reserve) nothing is done: the next pass
     * tries again. A failure while rolling is a writer failure like an append's (fail-stop).
     */
    private void retireIfDone(List<PendingAppend> requests) {
        long started = 0;
        if (failure == null && current != null && currentSize > SegmentHeader.SIZE && current.firstSeq <= spool.checkpoint()
                && usableBytes.getAsLong() >= DISK_RESERVE_BYTES + SegmentHeader.SIZE) {
            try {
                trimUnusedTail();
                force();
                current.durableSize(currentSize);
                roll();
                started = 1;
            } catch (Throwable t) {
                failure = new SpoolFailedException("spool segment roll failed; the spool refuses further appends", t);
                LOG.error("spool writer failed in {} while retiring the newest segment: fail-stop", dir, t);
            }
        }
        for (PendingAppend p : requests) {
            if (failure != null && started == 0) p.future.completeExceptionally(failure);
            else p.future.complete(started);
        }
    }

    /**
     * Under load, lets appends gather until the interval since the last commit began has passed
     * (like Postgres' commit_delay or MySQL's binlog_group_commit_sync_delay, but never after a
     * quiet spell: then the interval has long passed and the first append is written at once).
     */
    private void awaitGroupCommitInterval() {
        long due = lastCommitNanos + groupCommitIntervalNanos;
        long now = System.nanoTime();
        while (now - due < 0) {
            LockSupport.parkNanos(due - now);
            now = System.nanoTime();
        }
        lastCommitNanos = now;
    }

    private PendingAppend takeUninterruptibly() {
        while (true) {
            try {
                if (!diskFull) return queue.take();
                PendingAppend next = queue.poll(DISK_RECHECK_MILLIS, TimeUnit.MILLISECONDS);
                if (next != null) return next;
                recheckDisk();
            } catch (InterruptedException e) {
                // only close() may stop this thread, through STOP, so queued appends are never dropped
            }
        }
    }

    /** No append came while the disk was full: has it room for the refused batch now (freed by ops, or by segments deleted)? */
    private void recheckDisk() {
        long usable = usableBytes.getAsLong();
        if (usable < refusedNeeded) return;
        diskFull = false;
        diskFullLog.room(usable);
    }

    private void writeBatch(List<PendingAppend> batch) throws IOException {
        refuseWithoutRoom(batch);
        List<ByteBuffer> pending = new ArrayList<>(batch.size());
        for (PendingAppend p : batch) {
            int length = p.frame.length();
            if (current == null || mustRoll || (currentSize > SegmentHeader.SIZE && currentSize + length > segmentBytes)) {
                if (current != null) {
                    writeFully(pending);
                    trimUnusedTail();
                    force();
                    current.durableSize(currentSize);
                }
                roll();
            }
            ByteBuffer frame = p.frame.frame();
            FrameCodec.seal(frame, nextSeq);
            p.firstSeq = nextSeq;
            p.segment = current;
            p.position = currentSize;
            nextSeq += p.frame.recordCount();
            currentSize += length;
            pending.add(frame.duplicate());
        }
        if (preallocator != null && !spareRequested && currentSize > segmentBytes / 2) {
            preallocator.prepareNext();
            spareRequested = true;
        }
        writeFully(pending);
        force();
        current.durableSize(currentSize);
        spool.published(batch, nextSeq - 1);
    }

    /** Before anything of the batch is written: refuses it as full when the disk lacks room for it (and a new segment's header). */
    private void refuseWithoutRoom(List<PendingAppend> batch) {
        long needed = DISK_RESERVE_BYTES + SegmentHeader.SIZE;
        for (PendingAppend p : batch) needed += p.frame.length();
        long usable = usableBytes.getAsLong();
        if (usable < needed) {
            diskFullLog.refused(usable, needed, DISK_RESERVE_BYTES);
            refusedNeeded = needed;
            diskFull = true;
            throw new SpoolFullException("disk full: " + usable + " bytes free where the spool is, " + needed + " needed", true);
        }
        diskFull = false;
        diskFullLog.room(usable);
    }

    private void roll() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
        Path file = dir.resolve(Segment.fileName(nextSeq));
        Path spare = preallocator == null ? null : preallocator.takeSpare();
        FileChannel channel = spare == null
                ? opener.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                : opener.open(spare, StandardOpenOption.WRITE);
        out = channel;
        ByteBuffer header = SegmentHeader.encode(nextSeq);
        while (header.hasRemaining()) channel.write(header);
        force();
        if (spare != null) {
            // the header is durable before the file has a segment's name, so recovery never sees a
            // segment of zeros; a spare left with a header by a crash here is deleted at open
            if (Files.exists(file)) throw new FileAlreadyExistsException(file.toString());
            Files.move(spare, file, StandardCopyOption.ATOMIC_MOVE);
            metrics.segmentsPreallocated.incrementAndGet();
        } else {
            metrics.segmentsAppended.incrementAndGet();
        }
        // the new directory entry must be durable before any frame in the file is acknowledged
        Fsync.directory(dir);
        Segment segment = Segment.open(file, nextSeq);
        segment.durableSize(SegmentHeader.SIZE);
        current = segment;
        currentSize = SegmentHeader.SIZE;
        mustRoll = false;
        spareRequested = false;
        spool.segmentCreated(segment, SegmentHeader.SIZE);
    }

    private void writeFully(List<ByteBuffer> buffers) throws IOException {
        if (buffers.isEmpty()) return;
        ByteBuffer[] array = buffers.toArray(new ByteBuffer[0]);
        int first = 0;
        while (first < array.length) {
            out.write(array, first, array.length - first);
            while (first < array.length && !array[first].hasRemaining()) first++;
        }
        buffers.clear();
    }

    /** Cuts a preallocated segment back to its last frame, so a finished segment holds no zeros. */
    private void trimUnusedTail() throws IOException {
        if (out.size() > currentSize) out.truncate(currentSize);
    }

    private void force() throws IOException {
        long start = System.nanoTime();
        out.force(false);
        metrics.fsync(System.nanoTime() - start);
    }

    private static void failAll(List<PendingAppend> batch, SpoolFailedException e) {
        for (PendingAppend p : batch) p.future.completeExceptionally(e);
    }

    private void closeQuietly() {
        if (out == null) return;
        try {
            if (failure == null) {
                // a clean shutdown leaves no zeros after the last frame (a failed writer leaves the
                // file to recovery, which reads what is there)
                trimUnusedTail();
                out.force(false);
            }
        } catch (IOException e) {
            LOG.warn("trimming {} on close failed; recovery treats its zero tail as unused", current.path, e);
        }
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("closing {} failed", current.path, e);
        }
    }
}
