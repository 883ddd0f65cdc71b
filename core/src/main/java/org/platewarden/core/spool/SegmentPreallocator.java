package org.platewarden.core.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps at most one spare segment file ({@value #SPARE_NAME}) zero-filled and fsynced, so that
 * the writer's next segment overwrites blocks that already exist instead of growing a file.
 *
 * <p>Why: appending makes every group commit's {@code fdatasync} also commit the file's new size
 * to the file system journal. On this project's benchmark disk (ext4) an append + fdatasync cost
 * 257–319 µs wall and 107–150 µs of CPU, an overwrite of a pre-zeroed file 141–156 µs and 67 µs,
 * zero-filling included ({@code bench/fsync-cost.py}). Kafka's {@code preallocate} and Postgres'
 * zero-filled WAL segments do the same.
 *
 * <p>Its own thread does the zero-filling, so the writer never waits for it: {@link #takeSpare}
 * returns the spare if one is ready, otherwise null and the writer creates a segment by appending,
 * as without preallocation. Preparation starts only when the writer asks ({@link #prepareNext}),
 * once the current segment is half full, so an idle node writes no zeros. It is skipped while the
 * file system has less than {@link #MIN_FREE_SEGMENTS} segment sizes free: the spare must never
 * take the space the writer needs to append. A failure is logged and retried at the next request;
 * it never fails the spool.
 */
final class SegmentPreallocator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentPreallocator.class);
    static final String SPARE_NAME = "segment-spare.tmp";
    static final int MIN_FREE_SEGMENTS = 4;
    private static final int ZERO_CHUNK = 1 << 20;

    private final Path dir;
    private final Path spare;
    private final long segmentBytes;
    private final Thread thread;
    private final Object lock = new Object();
    /** Under {@link #lock}: a request is pending, a spare is ready, the thread must exit. */
    private boolean requested;
    private boolean ready;
    private boolean closed;
    private boolean lowSpaceLogged;

    SegmentPreallocator(Path dir, long segmentBytes) {
        this.dir = dir;
        this.spare = dir.resolve(SPARE_NAME);
        this.segmentBytes = segmentBytes;
        this.thread = new Thread(this::run, "spool-prealloc-" + dir.getFileName());
        thread.setDaemon(true);
    }

    /** Starts the zero-filling thread; requests made before are served then. */
    void start() {
        thread.start();
    }

    /**
     * Deletes a spare left by a crash (partly zero-filled, or with a header written before its
     * rename). Called at every open, whether preallocation is on or not.
     */
    static void deleteLeftoverSpare(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(SPARE_NAME));
    }

    /** Asks for a spare to be prepared if none is ready or being prepared. Never blocks. */
    void prepareNext() {
        synchronized (lock) {
            if (ready || requested || closed) return;
            requested = true;
            lock.notifyAll();
        }
    }

    /**
     * The zero-filled, fsynced spare (exactly the segment size), now owned by the caller, who
     * must rename it; or null if none is ready. Never blocks on I/O.
     */
    Path takeSpare() {
        synchronized (lock) {
            if (!ready) return null;
            ready = false;
            return spare;
        }
    }

    /** For tests: true when no preparation is pending or running. */
    boolean idle() {
        synchronized (lock) {
            return !requested;
        }
    }

    private void run() {
        while (true) {
            synchronized (lock) {
                while (!requested && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // only close() ends this thread
                    }
                }
                if (closed) return;
            }
            boolean made = prepare();
            synchronized (lock) {
                requested = false;
                ready = made;
                if (closed) return;
            }
        }
    }

    private boolean prepare() {
        try {
            long usable = Files.getFileStore(dir).getUsableSpace();
            if (usable < MIN_FREE_SEGMENTS * segmentBytes) {
                if (!lowSpaceLogged) {
                    LOG.warn("spool {}: not preallocating the next segment, only {} bytes free on its file system "
                            + "(need {}); segments are appended to until space is freed", dir, usable,
                            MIN_FREE_SEGMENTS * segmentBytes);
                    lowSpaceLogged = true;
                }
                return false;
            }
            lowSpaceLogged = false;
            ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK, segmentBytes));
            try (FileChannel ch = FileChannel.open(spare, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                long written = 0;
                while (written < segmentBytes) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), segmentBytes - written));
                    while (zeros.hasRemaining()) written += ch.write(zeros, written);
                    if (isClosed()) return false;
                }
                ch.force(true);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("spool {}: preallocating the next segment failed; the writer appends instead", dir, e);
            try {
                Files.deleteIfExists(spare);
            } catch (IOException ignored) {
                // the next attempt truncates it, close() deletes it
            }
            return false;
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Stops the thread and deletes an unused spare. Call after the writer has stopped. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        boolean interrupted = Joins.joinUninterruptibly(thread);
        try {
            Files.deleteIfExists(spare);
        } catch (IOException e) {
            LOG.warn("deleting the spare segment {} failed", spare, e);
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
