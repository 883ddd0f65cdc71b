package org.platewarden.core.spool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.platewarden.core.config.SpoolConfig;

/**
 * Spool append throughput, end to end (compress, enqueue, write, fsync, acknowledge), with
 * several appender threads each keeping a bounded number of appends in flight, like gateway
 * event loops. JMH is not on the build's class path, so this is a plain timed loop with a warm-up
 * phase; it prints figures, it asserts nothing. Run:
 * <pre>
 *   mvn -q -B -o test-compile -pl core
 *   mvn -q -B -o dependency:build-classpath -pl core -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp core/target/test-classes:core/target/classes:$(cat /tmp/cp.txt) \
 *       org.platewarden.core.spool.SpoolAppendBenchmark [threads] [recordsPerAppend] [inFlightPerThread] [seconds] [dir]
 * </pre>
 */
public final class SpoolAppendBenchmark {
    private SpoolAppendBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int recordsPerAppend = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path dir = args.length > 4 ? Path.of(args[4]) : Files.createTempDirectory("spool-bench");
        System.out.printf("threads=%d recordsPerAppend=%d inFlight/thread=%d seconds=%d dir=%s%n",
                threads, recordsPerAppend, inFlight, seconds, dir);
        try {
            run(dir, threads, recordsPerAppend, inFlight, 2, "warm-up");
            run(dir, threads, recordsPerAppend, inFlight, seconds, "measured");
        } finally {
            if (args.length <= 4) deleteTree(dir);
        }
    }

    private static void run(Path dir, int threads, int recordsPerAppend, int inFlight, int seconds, String label)
            throws Exception {
        List<byte[]> template = new ArrayList<>();
        for (int i = 0; i < recordsPerAppend; i++) template.add(SegmentedSpoolTest.read("bench-" + i));
        long recordBytes = template.stream().mapToLong(r -> r.length).sum();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong acked = new AtomicLong();
        AtomicLong full = new AtomicLong();
        long[][] latencies = new long[threads][];
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(64L * 1024 * 1024, 8L * 1024 * 1024 * 1024))) {
            // an indexer stand-in keeps the spool from filling up
            Thread checkpointer = new Thread(() -> {
                while (running.get()) {
                    long durable = spool.lastDurableSeq();
                    if (durable > spool.checkpoint()) spool.advanceCheckpoint(durable);
                    sleep(200);
                }
            });
            checkpointer.start();
            long fsyncsBefore = spool.fsyncCount();
            long appendsBefore = spool.appendCount();
            List<Thread> appenders = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread appender = new Thread(() -> {
                    Semaphore window = new Semaphore(inFlight);
                    long[] lat = new long[1 << 20];
                    AtomicLong n = new AtomicLong();
                    while (running.get()) {
                        window.acquireUninterruptibly();
                        long sent = System.nanoTime();
                        spool.append(template).whenComplete((seq, error) -> {
                            if (error != null) {
                                full.incrementAndGet();
                            } else {
                                acked.incrementAndGet();
                                long i = n.getAndIncrement();
                                if (i < lat.length) lat[(int) i] = System.nanoTime() - sent;
                            }
                            window.release(); // last: publishes the latency write to the appender thread
                        });
                    }
                    window.acquireUninterruptibly(inFlight);
                    latencies[thread] = Arrays.copyOf(lat, (int) Math.min(n.get(), lat.length));
                });
                appenders.add(appender);
                appender.start();
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            running.set(false);
            for (Thread t : appenders) t.join();
            double elapsed = (System.nanoTime() - start) / 1e9;
            checkpointer.join();
            long appends = spool.appendCount() - appendsBefore;
            long fsyncs = spool.fsyncCount() - fsyncsBefore;
            long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
            System.out.printf("%s: %.0f appends/s, %.0f records/s, %.1f MB/s of records, %d fsyncs for %d appends"
                            + " (%.4f fsyncs/append), refused %d, ack latency p50 %.2f ms p99 %.2f ms%n",
                    label, acked.get() / elapsed, acked.get() * recordsPerAppend / elapsed,
                    acked.get() * recordBytes / elapsed / 1e6, fsyncs, appends, (double) fsyncs / Math.max(1, appends),
                    full.get(), percentile(all, 0.50) / 1e6, percentile(all, 0.99) / 1e6);
        }
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
