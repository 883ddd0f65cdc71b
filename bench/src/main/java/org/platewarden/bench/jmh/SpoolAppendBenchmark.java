package org.platewarden.bench.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.platewarden.bench.PlatePopulation;
import org.platewarden.bench.ReadFactory;
import org.platewarden.core.config.SpoolConfig;
import org.platewarden.core.spool.SegmentedSpool;

/**
 * Durable append: time from append() to the fsync that covers it, for a batch of read documents.
 * Several threads append at once so group commit is exercised the way concurrent connections do.
 * The spool lives in java.io.tmpdir (set -Djava.io.tmpdir to a disk that matches production).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(4)
public class SpoolAppendBenchmark {
    @Param({"1", "100"})
    public int batch;

    private Path dir;
    private SegmentedSpool spool;
    private List<byte[]> records;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("pw-jmh-spool");
        spool = SegmentedSpool.open(dir, new SpoolConfig(64L * 1024 * 1024, 1024L * 1024 * 1024));
        ReadFactory reads = new ReadFactory(new PlatePopulation(1000, 1), "cam-001", "jmh", 0, 1, 0, 0.03, 1);
        records = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            // stored documents are ~1.5x the camera's JSON (derived plate terms); pad to stay realistic
            byte[] json = reads.next().json();
            records.add(new String(json, StandardCharsets.UTF_8).concat(" ".repeat(json.length / 2)).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Benchmark
    public long appendDurably() {
        long seq = spool.append(records).join();
        // play the indexer: keep the spool from filling up so the run measures appends, not back-pressure
        if (seq % 4096 < batch) {
            synchronized (this) {
                spool.advanceCheckpoint(seq);
            }
        }
        return seq;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        spool.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
