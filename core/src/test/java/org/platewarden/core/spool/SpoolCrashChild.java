package org.platewarden.core.spool;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

import org.platewarden.core.config.SpoolConfig;

/**
 * The process {@link SpoolCrashTest} kills with SIGKILL. Several threads append batches and
 * print {@code ACK <id> <seq>} only after the append's future completed (the point where the
 * gateway would acknowledge a camera); an indexer thread advances the checkpoint behind the
 * writers and prints {@code CKPT <seq>} once it is persisted. Runs until killed.
 */
public final class SpoolCrashChild {
    static final SpoolConfig CONFIG = new SpoolConfig(64 * 1024, 256L * 1024 * 1024);

    private SpoolCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String tag = args[1];
        int threads = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, UTF_8);
        SegmentedSpool spool = SegmentedSpool.open(dir, CONFIG);
        synchronized (out) {
            out.println("READY " + spool.lastDurableSeq());
            out.flush();
        }
        for (int t = 0; t < threads; t++) {
            String prefix = tag + "-t" + t;
            Thread appender = new Thread(() -> appendForever(spool, prefix, out), "appender-" + t);
            appender.start();
        }
        long checkpoint = spool.checkpoint();
        while (true) {
            Thread.sleep(50);
            // like the indexer: everything read so far is done, except a recent stretch
            long target = spool.lastDurableSeq() - 20_000;
            if (target > checkpoint && !spool.read(checkpoint, 1).isEmpty()) {
                spool.advanceCheckpoint(target);
                checkpoint = target;
                synchronized (out) {
                    out.println("CKPT " + target);
                    out.flush();
                }
            }
        }
    }

    private static void appendForever(SegmentedSpool spool, String prefix, PrintStream out) {
        Semaphore inFlight = new Semaphore(4);
        for (long n = 0; ; n++) {
            inFlight.acquireUninterruptibly();
            int size = ThreadLocalRandom.current().nextInt(1, 11);
            List<byte[]> records = new ArrayList<>(size);
            List<String> ids = new ArrayList<>(size);
            for (int k = 0; k < size; k++) {
                String id = prefix + "-" + n + "-" + k;
                ids.add(id);
                records.add(SegmentedSpoolTest.read(id));
            }
            spool.append(records).whenComplete((lastSeq, error) -> {
                inFlight.release();
                if (error != null) {
                    synchronized (out) {
                        out.println("ERR " + error);
                        out.flush();
                    }
                    return;
                }
                StringBuilder acks = new StringBuilder();
                for (int k = 0; k < ids.size(); k++) {
                    acks.append("ACK ").append(ids.get(k)).append(' ').append(lastSeq - (ids.size() - 1 - k)).append('\n');
                }
                synchronized (out) {
                    out.print(acks);
                    out.flush();
                }
            });
        }
    }
}
