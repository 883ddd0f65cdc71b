package org.platewarden.bench.jmh;

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
import org.openjdk.jmh.infra.Blackhole;
import org.platewarden.core.config.Camera;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.read.IndexDocument;
import org.platewarden.core.read.ReadResult;
import org.platewarden.core.read.ReadValidator;
import org.platewarden.core.read.StoredRead;
import org.platewarden.indexer.LocatedRead;
import org.platewarden.indexer.ReadLocator;

/**
 * The indexer's CPU work per spooled read before the bulk request (Indexer.add): find the read's
 * id, capture time, camera and plate_ocr in the stored bytes ({@link ReadLocator#locate}), then
 * write them with the plate's index terms into the bulk body ({@link IndexDocument#writeWithTerms};
 * {@link IndexDocument#appendTerms} is the same as an array). The records are
 * what the gateway spools: camera reads run through its {@link ReadValidator}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class IndexDocumentBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private byte[][] stored;
    private String[] plateOcr;
    private int next;

    @Setup
    public void setUp() throws IOException {
        ReadValidator validator = ReadValidator.fromConfig(PlatewardenConfig.demoConfig(), Clock.systemUTC(), org.platewarden.core.read.ReadIdKey.random());
        Camera camera = ReadValidationBenchmark.camera();
        byte[][] reads = ReadValidationBenchmark.cameraReads();
        stored = new byte[reads.length][];
        plateOcr = new String[reads.length];
        for (int i = 0; i < reads.length; i++) {
            ReadResult result = validator.validate(JSON.readTree(reads[i]), camera, "http");
            if (!(result instanceof StoredRead read)) throw new IllegalStateException("generated read rejected: " + result);
            stored[i] = read.document();
            LocatedRead located = ReadLocator.locate(stored[i]);
            if (located.termsStored()) throw new IllegalStateException("the gateway spooled the terms: nothing to append");
            plateOcr[i] = located.plateOcr();
        }
    }

    private int advance() {
        next = (next + 1) & (stored.length - 1);
        return next;
    }

    @Benchmark
    public void locate(Blackhole bh) {
        bh.consume(ReadLocator.locate(stored[advance()]));
    }

    @Benchmark
    public void appendTerms(Blackhole bh) {
        int i = advance();
        bh.consume(IndexDocument.appendTerms(stored[i], plateOcr[i]));
    }

    /** Both, as Indexer.add did them until the twelfth session (the array was then copied into the body). */
    @Benchmark
    public void locateAndAppend(Blackhole bh) {
        byte[] json = stored[advance()];
        LocatedRead read = ReadLocator.locate(json);
        bh.consume(read);
        bh.consume(read.termsStored() ? json : IndexDocument.appendTerms(json, read.plateOcr()));
    }

    private final Body body = new Body();

    /**
     * As the indexer does it since the thirteenth session: locate, then write the document with its
     * terms straight into the bulk body (a reused buffer here), with no per-read document array and
     * no line-break scan for a record the locator parsed to its end.
     */
    @Benchmark
    public void locateAndWrite(Blackhole bh) {
        byte[] json = stored[advance()];
        LocatedRead read = ReadLocator.locate(json);
        bh.consume(read);
        if (body.count > Body.SIZE - 8192) body.count = 0;
        if (read.termsStored()) {
            body.write(json, 0, json.length);
        } else {
            IndexDocument.writeWithTerms(json, read.plateOcr(), body);
        }
        bh.consume(body.count);
    }

    /** Stands in for the bulk body's chunks: a fixed array written over and over. */
    private static final class Body implements IndexDocument.ByteSink {
        static final int SIZE = 256 * 1024;
        final byte[] buf = new byte[SIZE];
        int count;

        @Override
        public void write(int b) {
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }
    }
}
