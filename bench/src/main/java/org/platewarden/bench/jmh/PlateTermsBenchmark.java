package org.platewarden.bench.jmh;

import java.util.List;
import java.util.Random;
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
import org.platewarden.bench.PlatePopulation;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.core.plate.PlateIndexTerms;
import org.platewarden.core.plate.PlateNormalizer;

/** Index-time plate work done per read on the ingest path: normalise, OCR-fold, grams, deletion neighbourhood. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PlateTermsBenchmark {
    private final OcrFolding folding = OcrFolding.defaults();
    private String[] plates;
    private int next;

    @Setup
    public void setUp() {
        PlatePopulation population = new PlatePopulation(4096, 11);
        Random random = new Random(3);
        plates = new String[4096];
        for (int i = 0; i < plates.length; i++) plates[i] = population.pick(random);
    }

    private String plate() {
        next = (next + 1) & (plates.length - 1);
        return plates[next];
    }

    @Benchmark
    public String normalizeAndFold() {
        return folding.fold(PlateNormalizer.normalize(plate()));
    }

    @Benchmark
    public void allIndexTerms(Blackhole bh) {
        String ocr = folding.fold(PlateNormalizer.normalize(plate()));
        List<String> grams = PlateIndexTerms.grams(ocr);
        List<String> dels = PlateIndexTerms.deletions(ocr, 2);
        bh.consume(grams);
        bh.consume(dels);
    }
}
