package org.platewarden.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.function.BooleanSupplier;

/**
 * A real file channel whose writes (and truncations) or fsyncs fail whenever a test says so, as a
 * dying disk's fsync would (EIO), or every write on a file system remounted read-only (EROFS). Each
 * supplier is asked once per operation of its kind. Reads always work.
 */
public class FailingFileChannel extends FileChannel {
    private final FileChannel delegate;
    private final BooleanSupplier failWrites;
    private final BooleanSupplier failForce;

    /** Only fsyncs fail. */
    public FailingFileChannel(FileChannel delegate, BooleanSupplier failForce) {
        this(delegate, () -> false, failForce);
    }

    public FailingFileChannel(FileChannel delegate, BooleanSupplier failWrites, BooleanSupplier failForce) {
        this.delegate = delegate;
        this.failWrites = failWrites;
        this.failForce = failForce;
    }

    private void refuseWrite() throws IOException {
        if (failWrites.getAsBoolean()) throw new IOException("Read-only file system (injected write failure)");
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (failForce.getAsBoolean()) throw new IOException("injected fsync failure (EIO)");
        delegate.force(metaData);
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
    public int write(ByteBuffer src) throws IOException {
        refuseWrite();
        return delegate.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        refuseWrite();
        return delegate.write(srcs, offset, length);
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
    public FileChannel truncate(long size) throws IOException {
        refuseWrite();
        delegate.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        refuseWrite();
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        refuseWrite();
        return delegate.write(src, position);
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
