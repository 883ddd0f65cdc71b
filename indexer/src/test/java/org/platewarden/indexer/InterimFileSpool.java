package org.platewarden.indexer;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.platewarden.core.spool.Spool;
import org.platewarden.core.spool.SpoolRecord;

/**
 * A minimal file-backed spool (one fsynced length-prefixed log, a checkpoint file), used only until
 * SegmentedSpool is merged; it has no segments, so it never deletes anything.
 */
final class InterimFileSpool implements Spool {
    private final Path dir;
    private final FileChannel log;
    private final List<byte[]> records = new ArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "interim-spool");
        t.setDaemon(true);
        return t;
    });
    private volatile long checkpoint;

    InterimFileSpool(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("records.log");
            if (Files.exists(file)) {
                try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
                    while (true) {
                        int len;
                        try {
                            len = in.readInt();
                        } catch (EOFException e) {
                            break;
                        }
                        byte[] b = new byte[len];
                        in.readFully(b);
                        records.add(b);
                    }
                }
            }
            Path cp = dir.resolve("checkpoint");
            checkpoint = Files.exists(cp) ? Long.parseLong(Files.readString(cp).trim()) : 0;
            log = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public CompletableFuture<Long> append(List<byte[]> batch) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                int size = 0;
                for (byte[] b : batch) size += 4 + b.length;
                ByteBuffer buf = ByteBuffer.allocate(size);
                for (byte[] b : batch) buf.putInt(b.length).put(b);
                buf.flip();
                while (buf.hasRemaining()) log.write(buf);
                log.force(false);
                long last;
                synchronized (records) {
                    for (byte[] b : batch) records.add(b.clone());
                    last = records.size();
                }
                listeners.forEach(Runnable::run);
                return last;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, writer);
    }

    @Override
    public List<SpoolRecord> read(long afterSeq, int maxRecords) {
        synchronized (records) {
            List<SpoolRecord> out = new ArrayList<>();
            for (long seq = afterSeq + 1; seq <= records.size() && out.size() < maxRecords; seq++) {
                out.add(new SpoolRecord(seq, records.get((int) seq - 1)));
            }
            return out;
        }
    }

    @Override
    public long lastDurableSeq() {
        synchronized (records) {
            return records.size();
        }
    }

    @Override
    public long checkpoint() {
        return checkpoint;
    }

    @Override
    public synchronized void advanceCheckpoint(long seq) {
        if (seq <= checkpoint) return;
        if (seq > lastDurableSeq()) throw new IllegalArgumentException("checkpoint beyond the durable end");
        try {
            Files.writeString(dir.resolve("checkpoint"), Long.toString(seq), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        checkpoint = seq;
    }

    @Override
    public long sizeBytes() {
        try {
            return log.size();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public long capacityBytes() {
        return Long.MAX_VALUE;
    }

    @Override
    public void onDurable(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            log.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
