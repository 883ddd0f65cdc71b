package org.platewarden.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a file of its own ({@code FileChannel.tryLock}), held while this object is
 * open: how a process claims a directory or file that only one writer may use (the spool, an audit
 * journal, {@code run/node.json}). The operating system releases it when the process dies, even by
 * SIGKILL, so a crash never leaves a stale lock; the file itself stays and is reused.
 *
 * <p>The lock is on a separate file, never on the data file it guards: POSIX drops every lock a
 * process holds on a file when any of its descriptors of that file is closed, so a reader of the
 * data file in the same process (verify reading the journal) would release it.
 */
public final class LockFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private LockFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code path} (created if absent, with its directory), or returns null when
     * someone holds it: another process, or another owner in this JVM. An IOException is a lock that
     * could not be asked for at all (e.g. a file system without locks). The directory is made
     * owner-only ({@link PrivateDirectory}): every lock guards a directory of plates, audit records or
     * run files, and the first start's check of the spool's lock made the spool with the default mode
     * (then logged as "was open to other accounts" on a fresh data directory).
     */
    public static LockFile tryAcquire(Path path) throws IOException {
        PrivateDirectory.create(path.toAbsolutePath().getParent());
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            return null;
        }
        return new LockFile(path, channel, lock);
    }

    /**
     * Takes the lock on {@code path}, or throws {@link HeldException} with {@code whenHeld} as its
     * message (say what is in use and by whom it can be).
     */
    public static LockFile acquire(Path path, String whenHeld) throws IOException {
        LockFile lock = tryAcquire(path);
        if (lock == null) throw new HeldException(whenHeld);
        return lock;
    }

    /** Someone else holds the lock: its message is written for the operator, one line. */
    public static final class HeldException extends IOException {
        public HeldException(String message) {
            super(message);
        }
    }

    public Path path() {
        return path;
    }

    /** Releases the lock (the file stays). */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) lock.release();
        } finally {
            channel.close();
        }
    }
}
