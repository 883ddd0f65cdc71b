package org.platewarden.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.platewarden.bench.PlatePopulation;
import org.platewarden.bench.ReadFactory;
import org.platewarden.core.config.Camera;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.read.ReadResult;
import org.platewarden.core.read.ReadValidator;

/**
 * Per-read work on the ingest path before the spool: parse the camera's JSON, validate it against
 * the read model, normalise, fold and write the stored document (with its plate terms).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ReadValidationBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReadValidator validator = ReadValidator.fromConfig(PlatewardenConfig.demoConfig(), Clock.systemUTC());
    private Camera camera;
    private byte[][] reads;
    private int next;

    @Setup
    public void setUp() throws IOException {
        camera = camera();
        reads = cameraReads();
        parseTrees();
    }

    /** The demo camera the reads of {@link #cameraReads()} come from. */
    static Camera camera() {
        return PlatewardenConfig.demoConfig().camera("cam-001").orElseThrow();
    }

    /** 1024 different reads (a power of two, to rotate through) as cam-001 sends them, 3% misread. */
    static byte[][] cameraReads() {
        ReadFactory factory = new ReadFactory(new PlatePopulation(10_000, 1), "cam-001", "jmh", 0, 1, 0, 0.03, 2);
        byte[][] reads = new byte[1024][];
        for (int i = 0; i < reads.length; i++) reads[i] = factory.next().json();
        return reads;
    }

    private JsonNode[] trees;

    private void parseTrees() throws IOException {
        trees = new JsonNode[reads.length];
        for (int i = 0; i < reads.length; i++) trees[i] = JSON.readTree(reads[i]);
    }

    /** The Jackson tree parse alone (the share of {@link #parseAndValidate} that is not the read model). */
    @Benchmark
    public JsonNode parseOnly() throws IOException {
        next = (next + 1) & (reads.length - 1);
        return JSON.readTree(reads[next]);
    }

    /** Validation and the stored document alone, from an already parsed tree. */
    @Benchmark
    public ReadResult validateOnly() {
        next = (next + 1) & (trees.length - 1);
        return validator.validate(trees[next], camera, "http");
    }

    @Benchmark
    public ReadResult parseAndValidate() throws IOException {
        next = (next + 1) & (reads.length - 1);
        JsonNode tree = JSON.readTree(reads[next]);
        return validator.validate(tree, camera, "http");
    }
}
