package org.platewarden.bench.jmh;

import com.fasterxml.jackson.core.JsonParser;
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
import org.platewarden.core.read.ReadInput;
import org.platewarden.core.read.ReadInputReader;
import org.platewarden.core.read.ReadResult;
import org.platewarden.core.read.ReadValidator;

/**
 * Per-read work on the ingest path before the spool: stream the camera's JSON into the read
 * model's fields, validate them, normalise, fold and write the stored document.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ReadValidationBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReadValidator validator = ReadValidator.fromConfig(PlatewardenConfig.demoConfig(), Clock.systemUTC(), org.platewarden.core.read.ReadIdKey.random());
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

    private ReadInput[] inputs;

    private void parseTrees() throws IOException {
        inputs = new ReadInput[reads.length];
        for (int i = 0; i < reads.length; i++) inputs[i] = readInput(reads[i]);
    }

    private static ReadInput readInput(byte[] json) throws IOException {
        try (JsonParser p = ReadInputReader.factory().createParser(json)) {
            p.nextToken();
            return ReadInputReader.read(p);
        }
    }

    /** The streaming read of the camera's JSON alone (the share of {@link #parseAndValidate} that is not the read model's rules). */
    @Benchmark
    public ReadInput parseOnly() throws IOException {
        next = (next + 1) & (reads.length - 1);
        return readInput(reads[next]);
    }

    /**
     * The Jackson tree the accept path built until the twelfth session, for comparison with
     * {@link #parseOnly}; only the vendor webhooks still build one.
     */
    @Benchmark
    public JsonNode treeParseOnly() throws IOException {
        next = (next + 1) & (reads.length - 1);
        return JSON.readTree(reads[next]);
    }

    /** Validation and the stored document alone, from an already read input. */
    @Benchmark
    public ReadResult validateOnly() {
        next = (next + 1) & (inputs.length - 1);
        return validator.validate(inputs[next], camera, "http");
    }

    /** What the accept path does per read before the spool: stream the JSON, validate, write the document. */
    @Benchmark
    public ReadResult parseAndValidate() throws IOException {
        next = (next + 1) & (reads.length - 1);
        return validator.validate(readInput(reads[next]), camera, "http");
    }
}
