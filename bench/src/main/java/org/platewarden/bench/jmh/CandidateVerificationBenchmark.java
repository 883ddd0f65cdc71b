package org.platewarden.bench.jmh;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.platewarden.bench.PlatePopulation;
import org.platewarden.core.plate.PlateMatcher;
import org.platewarden.core.plate.PlateQuery;
import org.platewarden.core.plate.PlateNormalizer;

/**
 * The search side's final step: Elasticsearch returns candidates, Java decides how (and whether)
 * each one matches the query. Reported per candidate verified.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CandidateVerificationBenchmark {
    @Param({"AB?1234", "*C123*", "ABC1234:ocr", "ABC1234:2"})
    public String query;

    private PlateMatcher matcher;
    private String[] candidates;
    private int next;

    @Setup
    public void setUp() {
        String[] parts = query.split(":");
        boolean ocr = parts.length > 1 && parts[1].equals("ocr");
        int edits = parts.length > 1 && !ocr ? Integer.parseInt(parts[1]) : 0;
        matcher = new PlateMatcher(PlateQuery.parse(parts[0], ocr, edits));
        PlatePopulation population = new PlatePopulation(4096, 5);
        Random random = new Random(9);
        candidates = new String[4096];
        for (int i = 0; i < candidates.length; i++) candidates[i] = PlateNormalizer.normalize(population.pick(random));
    }

    @Benchmark
    public void verifyCandidate(Blackhole bh) {
        next = (next + 1) & (candidates.length - 1);
        bh.consume(matcher.matchOrNull(candidates[next]));
    }
}
