package org.platewarden.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records every acknowledged read id, one per line, so a run can later prove that nothing
 * acknowledged is missing. File writes happen on one dedicated thread (never on an event loop);
 * the hand-off queue is bounded, so a slow disk slows the generator rather than growing memory.
 */
public final class AckLog implements AutoCloseable {
    private static final List<String> END = List.of();

    private final BlockingQueue<List<String>> queue = new ArrayBlockingQueue<>(65_536);
    private final LongAdder count = new LongAdder();
    private final Thread writer;
    private volatile IOException failure;

    public AckLog(Path file) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        writer = new Thread(() -> drain(out), "ack-log-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Called on acknowledgement; may block briefly only when the writer is 65k batches behind. */
    public void acknowledged(List<String> ids) {
        if (ids.isEmpty()) return;
        count.add(ids.size());
        try {
            queue.put(ids);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording acknowledged ids", e);
        }
    }

    public long count() {
        return count.sum();
    }

    private void drain(BufferedWriter out) {
        try (out) {
            while (true) {
                List<String> ids = queue.take();
                if (ids == END) break;
                for (String id : ids) {
                    out.write(id);
                    out.write('\n');
                }
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            queue.put(END);
            writer.join(TimeUnit.MINUTES.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) throw new UncheckedIOException("writing the acknowledged-id log failed", failure);
    }

    public static List<String> readAll(Path file) throws IOException {
        return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }
}
