package org.platewarden.core.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import io.micrometer.core.instrument.MeterRegistry;
import org.platewarden.core.config.SpoolConfig;
import org.platewarden.core.io.ChannelOpener;
import org.platewarden.core.io.LockFile;
import org.platewarden.core.io.PrivateDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool as a directory of segment files ({@code segment-<firstSeq>.log}), modelled on
 * Kafka's log segments and Elastic Beats' disk queue. See {@link FrameCodec} for the frame
 * format, {@link SpoolWriter} for group commit and fail-stop, {@link SpoolRecovery} for what
 * happens to torn or damaged data on open.
 *
 * <p>Threads: {@link #append} from any thread (it only compresses and enqueues, never blocks);
 * {@link #read} and {@link #advanceCheckpoint} from one consumer thread (advanceCheckpoint does
 * blocking I/O: never call it on an event loop). Futures and durable listeners run on the
 * writer thread: keep them short and hop back to your own context. {@link #diskFull} and the
 * sizes may be read from any thread (an event loop too): they are fields, not disk calls.
 *
 * <p>Ownership: the byte arrays passed to append are copied into the frame before append
 * returns; records returned by read are fresh copies.
 */
public final class SegmentedSpool implements Spool {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentedSpool.class);
    /**
     * Bound of the write queue in frame bytes, whatever the disk capacity: beyond it appends are
     * refused (push back). The queue's heap use is about twice this (each entry also keeps its
     * uncompressed block for the read cache).
     */
    static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;
    private static final long RECENT_FRAMES_BYTES = 8L * 1024 * 1024;

    private final Path dir;
    private final long capacityBytes;
    private final long maxQueuedBytes;
    private final CheckpointFile checkpointFile;
    private final SpoolMetrics metrics;
    private final RecentFrames recent = new RecentFrames(RECENT_FRAMES_BYTES);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final List<QuarantinedRange> quarantined;
    private final LockFile dirLock;

    /** Admission: closed flag, capacity check and enqueue happen atomically under this monitor. */
    private final Object admission = new Object();
    private boolean closed;
    /** Bytes on disk plus bytes queued: what capacity is checked against. */
    private final AtomicLong reservedBytes = new AtomicLong();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong diskBytes = new AtomicLong();

    /** Immutable snapshot, replaced under {@link #segmentsMutex}; readers use it without locking. */
    private volatile List<Segment> segments;
    private final Object segmentsMutex = new Object();
    /** Readers hold the read side while touching segment channels; deletion closes them under the write side. */
    private final ReadWriteLock channelLock = new ReentrantReadWriteLock();

    private volatile long lastDurableSeq;
    private volatile long checkpoint;
    private final Object checkpointMutex = new Object();
    /**
     * Segments behind the checkpoint, closed and out of {@link #segments}, whose files a deletion
     * failed to remove: the next {@link #advanceCheckpoint} (or one with the same seq) tries again.
     * Under {@link #checkpointMutex}.
     */
    private final List<Segment> undeleted = new ArrayList<>();
    /** A deletion removed files but the directory fsync after it failed; under {@link #checkpointMutex}. */
    private boolean directorySyncOwed;

    private final SpoolWriter writer;
    private final Thread writerThread;
    /** Null when preallocation is off. */
    private final SegmentPreallocator preallocator;

    public static SegmentedSpool open(Path dir, SpoolConfig config) throws IOException {
        return open(dir, config, null);
    }

    /** Opens (creating or recovering) the spool and exports its metrics to {@code registry} (may be null). */
    public static SegmentedSpool open(Path dir, SpoolConfig config, MeterRegistry registry) throws IOException {
        return open(dir, config, registry, ChannelOpener.DEFAULT);
    }

    static SegmentedSpool open(Path dir, SpoolConfig config, MeterRegistry registry, ChannelOpener opener)
            throws IOException {
        return open(dir, config, registry, opener, null);
    }

    /**
     * Fault injection for tests, in any module: {@code opener} opens the segment files the writer
     * appends to and the checkpoint's temporary file ({@code checkpoint.tmp}), so a test can make a
     * write or an fsync fail; {@code usableBytes} stands for the free bytes of the spool's file
     * system (null: asked of the file system). Production code opens with {@link #open(Path, SpoolConfig, MeterRegistry)}.
     */
    public static SegmentedSpool open(Path dir, SpoolConfig config, MeterRegistry registry, ChannelOpener opener,
                                      java.util.function.LongSupplier usableBytes) throws IOException {
        if (config.segmentBytes() < SegmentHeader.SIZE + FrameCodec.FRAME_OVERHEAD + FrameCodec.PAYLOAD_HEADER) {
            throw new IllegalArgumentException("segment_bytes too small: " + config.segmentBytes());
        }
        if (config.groupCommitIntervalMicros() < 0) {
            throw new IllegalArgumentException("group_commit_interval_micros must not be negative");
        }
        // the newest segment is never deleted (the writer may still append to it) and admission counts
        // it, so with less than two segments' room a spool whose one segment is full, and fully
        // indexed, could never roll to a new one: every append would be refused as full, forever
        if (config.capacityBytes() < 2 * config.segmentBytes()) {
            throw new IllegalArgumentException("capacity_bytes must be at least twice segment_bytes");
        }
        PrivateDirectory.create(dir);
        return new SegmentedSpool(dir, config, registry, opener, usableBytes != null ? usableBytes : usableSpaceOf(dir));
    }

    /** What the file system holding {@code dir} has free for this process; unknown (a failed call) counts as plenty. */
    private static java.util.function.LongSupplier usableSpaceOf(Path dir) throws IOException {
        java.nio.file.FileStore store = Files.getFileStore(dir);
        return () -> {
            try {
                return store.getUsableSpace();
            } catch (IOException unknown) {
                return Long.MAX_VALUE;
            }
        };
    }

    private SegmentedSpool(Path dir, SpoolConfig config, MeterRegistry registry, ChannelOpener opener,
                           java.util.function.LongSupplier usableBytes) throws IOException {
        this.dir = dir;
        this.capacityBytes = config.capacityBytes();
        this.maxQueuedBytes = Math.min(MAX_QUEUED_BYTES, capacityBytes);
        try {
            this.dirLock = LockFile.acquire(dir.resolve(".lock"), "spool " + dir + " is in use by another process");
        } catch (LockFile.HeldException held) {
            throw held;
        } catch (IOException | RuntimeException e) {
            throw new IOException("spool " + dir + " is in use", e);
        }
        try {
            this.checkpointFile = new CheckpointFile(dir, opener);
            this.metrics = new SpoolMetrics(registry, this);
            SegmentPreallocator.deleteLeftoverSpare(dir);
            long persisted = loadCheckpoint(dir);
            long staleTemp = checkpointFile.deleteStaleTemp();
            if (staleTemp >= 0) {
                LOG.info("spool {}: deleted checkpoint.tmp ({} bytes), left by a checkpoint write that failed or was cut off;"
                        + " the checkpoint is {}, as the checkpoint file says", dir, staleTemp, persisted);
            }
            SpoolRecovery.Result r = SpoolRecovery.recover(dir, persisted, new Quarantine(dir));
            this.quarantined = r.quarantined();
            metrics.quarantined.addAndGet(quarantined.size());
            this.segments = List.copyOf(r.segments());
            long onDisk = 0;
            for (Segment s : r.segments()) onDisk += s.durableSize();
            diskBytes.set(onDisk);
            reservedBytes.set(onDisk);
            this.lastDurableSeq = r.nextSeq() - 1;
            this.checkpoint = Math.min(persisted, lastDurableSeq);
            Segment last = r.segments().isEmpty() ? null : r.segments().get(r.segments().size() - 1);
            this.preallocator = config.preallocate() ? new SegmentPreallocator(dir, config.segmentBytes()) : null;
            this.writer = new SpoolWriter(dir, config.segmentBytes(), config.groupCommitIntervalMicros() * 1000, opener, usableBytes,
                    this, metrics, preallocator, last,
                    r.lastSegmentEnd(), r.nextSeq(), r.mustRoll());
            deleteSegmentsBehind(checkpoint);
        } catch (IOException | RuntimeException e) {
            for (Segment s : segments == null ? List.<Segment>of() : segments) s.close();
            dirLock.close();
            throw e;
        }
        this.writerThread = new Thread(writer, "spool-writer-" + dir.getFileName());
        writerThread.setDaemon(true);
        if (preallocator != null) preallocator.start();
        writerThread.start();
        LOG.info("spool {} open: records up to {}, checkpoint {}, {} segments, {} bytes, {} quarantined ranges",
                dir, lastDurableSeq, checkpoint, segments.size(), diskBytes.get(), quarantined.size());
    }

    private long loadCheckpoint(Path dir) throws IOException {
        try {
            return checkpointFile.load();
        } catch (IOException e) {
            // The rename is atomic, so this is outside damage. Restarting from the oldest segment
            // re-delivers records (indexing is idempotent by read_id) rather than losing any.
            LOG.error("spool checkpoint unreadable in {}; re-delivering from the oldest segment", dir, e);
            List<Path> files = SpoolRecovery.segmentFiles(dir);
            return files.isEmpty() ? 0 : Segment.parseFirstSeq(files.get(0).getFileName().toString()) - 1;
        }
    }

    @Override
    public CompletableFuture<Long> append(List<byte[]> records) {
        PendingAppend p;
        try {
            if (records.isEmpty()) throw new IllegalArgumentException("append needs at least one record");
            p = new PendingAppend(FrameCodec.encode(records));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        long length = p.frame.length();
        synchronized (admission) {
            if (closed) return CompletableFuture.failedFuture(new IllegalStateException("spool is closed"));
            SpoolFailedException failure = writer.failure();
            if (failure != null) return CompletableFuture.failedFuture(failure);
            if (reservedBytes.get() + length > capacityBytes) {
                metrics.rejectedFull.incrementAndGet();
                return CompletableFuture.failedFuture(new SpoolFullException("spool full: " + reservedBytes.get()
                        + " of " + capacityBytes + " bytes used, append needs " + length));
            }
            if (queuedBytes.get() + length > maxQueuedBytes) {
                metrics.rejectedFull.incrementAndGet();
                return CompletableFuture.failedFuture(new SpoolFullException("spool write queue full: "
                        + queuedBytes.get() + " bytes waiting for fsync"));
            }
            reservedBytes.addAndGet(length);
            queuedBytes.addAndGet(length);
            writer.submit(p);
        }
        return p.future;
    }

    /** Writer thread: a batch is fsynced; publish it to readers, then acknowledge. */
    void published(List<PendingAppend> batch, long lastSeq) {
        long bytes = 0;
        long records = 0;
        for (PendingAppend p : batch) {
            p.segment.index(p.firstSeq, p.position, false);
            recent.add(p.firstSeq, p.frame.recordCount(), p.frame.block());
            bytes += p.frame.length();
            records += p.frame.recordCount();
        }
        queuedBytes.addAndGet(-bytes);
        diskBytes.addAndGet(bytes);
        lastDurableSeq = lastSeq;
        metrics.appends.addAndGet(batch.size());
        metrics.records.addAndGet(records);
        for (PendingAppend p : batch) p.future.complete(p.lastSeq());
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("spool durable listener failed", e);
            }
        }
    }

    /** Writer thread: a batch was refused before anything of it was written; its appends may be retried. */
    void refused(List<PendingAppend> batch, SpoolFullException refusal) {
        long bytes = 0;
        for (PendingAppend p : batch) bytes += p.frame.length();
        queuedBytes.addAndGet(-bytes);
        reservedBytes.addAndGet(-bytes);
        metrics.rejectedFull.addAndGet(batch.size());
        for (PendingAppend p : batch) p.future.completeExceptionally(refusal);
    }

    /** Writer thread: a new segment file (header only, fsynced) exists. */
    void segmentCreated(Segment segment, long headerBytes) {
        diskBytes.addAndGet(headerBytes);
        reservedBytes.addAndGet(headerBytes);
        synchronized (segmentsMutex) {
            List<Segment> next = new ArrayList<>(segments);
            next.add(segment);
            segments = List.copyOf(next);
        }
    }

    @Override
    public List<SpoolRecord> read(long afterSeq, int maxRecords) {
        long durable = lastDurableSeq;
        long from = afterSeq + 1;
        if (maxRecords <= 0 || from > durable) return List.of();
        List<SpoolRecord> out = new ArrayList<>((int) Math.min(maxRecords, Math.min(durable - afterSeq, 1024)));
        if (recent.read(from, durable, maxRecords, out)) return out;
        channelLock.readLock().lock();
        try {
            List<Segment> snapshot = segments;
            int start = 0;
            for (int i = 0; i < snapshot.size(); i++) {
                if (snapshot.get(i).firstSeq <= from) start = i;
            }
            for (int i = start; i < snapshot.size() && out.size() < maxRecords; i++) {
                long next = out.isEmpty() ? from : out.get(out.size() - 1).seq() + 1;
                snapshot.get(i).read(next, durable, maxRecords, out);
            }
        } finally {
            channelLock.readLock().unlock();
        }
        return out;
    }

    @Override
    public long lastDurableSeq() {
        return lastDurableSeq;
    }

    @Override
    public long checkpoint() {
        return checkpoint;
    }

    /**
     * Persists the checkpoint (temp file, fsync, atomic rename, directory fsync), then deletes
     * the segments entirely at or below it. Blocking I/O: call from the consumer thread.
     *
     * <p>Idempotent, so a failure is retried by calling again with the same {@code seq}: a seq at or
     * below the checkpoint persists nothing but still deletes what a failed deletion left.
     *
     * @throws IllegalArgumentException if {@code seq} is beyond the last durable record
     * @throws UncheckedIOException if the checkpoint cannot be persisted (it then stays where it was,
     *         and so do the segments), or it was but a segment behind it could not be deleted
     */
    @Override
    public void advanceCheckpoint(long seq) {
        synchronized (checkpointMutex) {
            if (seq > checkpoint) {
                if (seq > lastDurableSeq) {
                    throw new IllegalArgumentException("checkpoint " + seq + " beyond last durable record " + lastDurableSeq);
                }
                try {
                    checkpointFile.store(seq);
                } catch (IOException e) {
                    throw new UncheckedIOException("persisting spool checkpoint " + seq + " in " + dir, e);
                }
                checkpoint = seq;
            }
            try {
                deleteSegmentsBehind(checkpoint);
            } catch (IOException e) {
                // the checkpoint is safe; the files stay counted (they still take the disk) until a retry deletes them
                throw new UncheckedIOException("spool checkpoint " + checkpoint + " persisted, but deleting the segments behind it in "
                        + dir + " failed", e);
            }
        }
    }

    /**
     * Retires the newest segment when it holds records that are done (at or below the checkpoint):
     * the writer starts a new segment, and the old one is deleted at once if all its records are
     * done, else with the checkpoint that passes its last. Segments are otherwise deleted only once
     * a newer one exists, which a quiet spool starts after a segment's worth of reads (64 MiB; weeks
     * or months for a few cameras), so reads indexed long ago, whose daily indices retention has
     * deleted, stayed on the disk. The local retention pass calls this at start-up and hourly, so a
     * done read stays in the spool about an hour at most. Blocking (it waits for the writer and
     * deletes files): never call it from an event loop.
     *
     * @return whether a new segment was started
     * @throws UncheckedIOException if a segment behind the checkpoint could not be deleted (the next call tries again)
     * @throws SpoolFailedException if the writer has failed, or failed rolling
     */
    public boolean retireDoneSegment() {
        PendingAppend request = PendingAppend.retireRequest();
        synchronized (admission) {
            if (closed) return false;
            writer.submit(request);
        }
        boolean started;
        try {
            started = request.future.get() == 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof SpoolFailedException failed ? failed : new SpoolFailedException(e.getCause().toString(), e.getCause());
        }
        advanceCheckpoint(checkpoint);
        return started;
    }

    /**
     * Deletes every segment but the newest whose records all lie at or below {@code seq}, and any a
     * previous deletion left. A segment's bytes stop counting once its file is gone.
     */
    private void deleteSegmentsBehind(long seq) throws IOException {
        List<Segment> doomed = new ArrayList<>();
        synchronized (segmentsMutex) {
            List<Segment> snapshot = segments;
            int keepFrom = 0;
            // the newest segment stays: the writer may be appending to it
            while (keepFrom < snapshot.size() - 1 && snapshot.get(keepFrom + 1).firstSeq - 1 <= seq) {
                doomed.add(snapshot.get(keepFrom));
                keepFrom++;
            }
            if (!doomed.isEmpty()) segments = List.copyOf(snapshot.subList(keepFrom, snapshot.size()));
        }
        if (!doomed.isEmpty()) {
            channelLock.writeLock().lock();
            try {
                for (Segment s : doomed) s.close();
            } finally {
                channelLock.writeLock().unlock();
            }
            undeleted.addAll(doomed);
        }
        if (undeleted.isEmpty() && !directorySyncOwed) return;
        int deleted = 0;
        for (java.util.Iterator<Segment> it = undeleted.iterator(); it.hasNext(); ) {
            Segment s = it.next();
            Files.deleteIfExists(s.path);
            diskBytes.addAndGet(-s.durableSize());
            reservedBytes.addAndGet(-s.durableSize());
            it.remove();
            directorySyncOwed = true;
            deleted++;
        }
        Fsync.directory(dir);
        directorySyncOwed = false;
        LOG.debug("deleted {} spool segments behind checkpoint {}", deleted, seq);
    }

    @Override
    public long sizeBytes() {
        return diskBytes.get();
    }

    @Override
    public boolean diskFull() {
        return writer.diskFull();
    }

    @Override
    public long capacityBytes() {
        return capacityBytes;
    }

    /** Bytes accepted but not yet fsynced. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    @Override
    public void onDurable(Runnable listener) {
        listeners.add(listener);
    }

    /**
     * {@code <spool>/quarantine}: copies of damaged frames and their notes, written at start-up and
     * never rewritten, so a file's modification time is when the damage was found (the local
     * retention pass deletes them by it, like dead letters).
     */
    public static Path quarantineDirectory(Path spoolDir) {
        return spoolDir.resolve("quarantine");
    }

    @Override
    public List<QuarantinedRange> quarantined() {
        return quarantined;
    }

    /** Number of fsyncs (segment data and new segment headers) since open: group commit makes it far smaller than {@link #appendCount()}. */
    public long fsyncCount() {
        return metrics.fsyncs.get();
    }

    /** Segments the writer started from a zero-filled spare since open (see {@link SegmentPreallocator}). */
    public long preallocatedSegmentCount() {
        return metrics.segmentsPreallocated.get();
    }

    /** For tests: true when the preallocator (if any) has no spare to prepare. */
    boolean preallocatorIdle() {
        return preallocator == null || preallocator.idle();
    }

    /** Number of appends made durable since open. */
    public long appendCount() {
        return metrics.appends.get();
    }

    /** Segment files currently held, oldest first. */
    public List<Path> segmentFiles() {
        return segments.stream().map(s -> s.path).toList();
    }

    /** Finishes (fsyncs and acknowledges) every append already accepted, then releases the files. */
    @Override
    public void close() {
        if (Thread.currentThread() == writerThread) {
            throw new IllegalStateException("close() from a spool callback would wait for its own thread");
        }
        synchronized (admission) {
            if (closed) return;
            closed = true;
            writer.stop();
        }
        boolean interrupted = Joins.joinUninterruptibly(writerThread);
        if (preallocator != null) preallocator.close();
        channelLock.writeLock().lock();
        try {
            for (Segment s : segments) s.close();
        } finally {
            channelLock.writeLock().unlock();
        }
        try {
            dirLock.close();
        } catch (IOException e) {
            LOG.warn("releasing spool lock in {} failed", dir, e);
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
