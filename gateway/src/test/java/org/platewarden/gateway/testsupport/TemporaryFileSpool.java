package org.platewarden.gateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.platewarden.core.spool.Spool;
import org.platewarden.core.spool.SpoolFullException;
import org.platewarden.core.spool.SpoolRecord;

/**
 * TEMPORARY stand-in until SegmentedSpool is merged: appends length-prefixed records to one file
 * and fsyncs before completing, so "readable after ack" is still a real durability ordering.
 */
public final class TemporaryFileSpool implements Spool {
    private final FileChannel channel;
    private final long capacity;
    private final ExecutorService writer = Executors.newSingleThreadExecutor();
    private final List<SpoolRecord> durable = new ArrayList<>();
    private long reserved;
    private long checkpoint;

    public TemporaryFileSpool(Path file, long capacity) {
        try {
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.capacity = capacity;
    }

    @Override
    public synchronized CompletableFuture<Long> append(List<byte[]> records) {
        long len = records.stream().mapToLong(r -> r.length + 4L).sum();
        if (reserved + len > capacity) return CompletableFuture.failedFuture(new SpoolFullException("full"));
        reserved += len;
        return CompletableFuture.supplyAsync(() -> {
            try {
                for (byte[] r : records) {
                    ByteBuffer b = ByteBuffer.allocate(4 + r.length).putInt(r.length).put(r).flip();
                    while (b.hasRemaining()) channel.write(b);
                }
                channel.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            synchronized (this) {
                for (byte[] r : records) durable.add(new SpoolRecord(durable.size() + 1, r));
                return (long) durable.size();
            }
        }, writer);
    }

    @Override
    public synchronized List<SpoolRecord> read(long afterSeq, int maxRecords) {
        return List.copyOf(durable.subList((int) Math.min(afterSeq, durable.size()), (int) Math.min(afterSeq + maxRecords, durable.size())));
    }

    @Override
    public synchronized long lastDurableSeq() {
        return durable.size();
    }

    @Override
    public synchronized long checkpoint() {
        return checkpoint;
    }

    @Override
    public synchronized void advanceCheckpoint(long seq) {
        for (long s = checkpoint + 1; s <= seq; s++) reserved -= durable.get((int) s - 1).json().length + 4L;
        checkpoint = Math.max(checkpoint, seq);
    }

    @Override
    public synchronized long sizeBytes() {
        return reserved;
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    @Override
    public void onDurable(Runnable listener) {
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
