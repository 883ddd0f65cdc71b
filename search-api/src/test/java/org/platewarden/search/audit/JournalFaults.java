package org.platewarden.search.audit;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.config.PlatewardenConfig;

/**
 * Audit journals that fail as a disk does, for tests outside this package (the search API's
 * readiness): a journal whose file system turns read-only while a test says so, and the node's
 * audit log opened on it as configured.
 */
public final class JournalFaults {
    private JournalFaults() {
    }

    /**
     * The node's journal file ({@link AuditJournal#pathFor}) with the configured padding, whose every
     * write, truncation and fsync fails while {@code readOnly} says so — as on a file system remounted
     * read-only (EROFS): the append fails, and so does padding over it.
     */
    public static AuditJournal readOnlyWhile(PlatewardenConfig config, BooleanSupplier readOnly) {
        return failingWhile(AuditJournal.pathFor(config.dataPath(), config.nodeId()), config.search().auditJournalPreallocateBytes(), readOnly);
    }

    /** A journal whose writes, truncations and fsyncs fail whenever {@code failing} says so (asked once per operation). */
    public static AuditJournal failingWhile(Path file, int preallocation, BooleanSupplier failing) {
        return new AuditJournal(file, preallocation) {
            @Override
            protected FileChannel openChannel(Path path) throws IOException {
                return new ReadOnlyWhile(super.openChannel(path), failing);
            }
        };
    }

    /** The node's audit log as configured ({@link ChainedAuditLog#open}), on {@code journal}. */
    public static Future<ChainedAuditLog> open(Vertx vertx, PlatewardenConfig config, RestClient rest, MeterRegistry registry,
                                               AuditJournal journal) {
        return ChainedAuditLog.open(vertx, config, rest, registry, journal);
    }

    /** A real file channel whose writes, truncations and fsyncs fail while told to. */
    private static final class ReadOnlyWhile extends FileChannel {
        private final FileChannel delegate;
        private final BooleanSupplier readOnly;

        ReadOnlyWhile(FileChannel delegate, BooleanSupplier readOnly) {
            this.delegate = delegate;
            this.readOnly = readOnly;
        }

        private void refuseWhileReadOnly() throws IOException {
            if (readOnly.getAsBoolean()) throw new IOException("Read-only file system (injected)");
        }

        @Override
        public void force(boolean metaData) throws IOException {
            refuseWhileReadOnly();
            delegate.force(metaData);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            refuseWhileReadOnly();
            return delegate.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            refuseWhileReadOnly();
            return delegate.write(srcs, offset, length);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            refuseWhileReadOnly();
            return delegate.write(src, position);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            refuseWhileReadOnly();
            delegate.truncate(size);
            return this;
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            refuseWhileReadOnly();
            return delegate.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return delegate.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return delegate.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return delegate.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return delegate.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return delegate.transferTo(position, count, target);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return delegate.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return delegate.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return delegate.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            delegate.close();
        }
    }
}
