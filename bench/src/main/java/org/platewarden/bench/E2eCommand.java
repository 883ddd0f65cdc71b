package org.platewarden.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Scenario (b): reads/s from "HTTP in" to "searchable in Elasticsearch" through Platewarden, and
 * the raw Elasticsearch bulk ceiling measured right after on the same cluster with the same
 * document bytes (pre-built _bulk bodies of create operations, as the indexer sends them).
 * Both clocks stop when a plain _count (no forced refresh) sees every document.
 */
@Command(name = "e2e", description = "Scenario (b): end-to-end rate vs the raw Elasticsearch bulk ceiling.")
public final class E2eCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1") String host;
    @Option(names = "--http-port", defaultValue = "8080") int httpPort;
    @Option(names = "--es-url", defaultValue = "http://127.0.0.1:9200") String esUrl;
    @Option(names = "--prefix", defaultValue = "platewarden") String prefix;
    @Option(names = "--count", defaultValue = "1000000") long count;
    @Option(names = "--connections", defaultValue = "8") int connections;
    @Option(names = "--batch", defaultValue = "100") int batch;
    @Option(names = "--bulk-reads", defaultValue = "5000", description = "reads per _bulk for the ceiling (indexer default)") int bulkReads;
    @Option(names = "--bulk-concurrency", defaultValue = "2", description = "_bulk requests in flight for the ceiling (indexer max_in_flight default)") int bulkConcurrency;
    @Option(names = "--work-dir", defaultValue = "bench/target/work") Path workDir;
    @Option(names = "--timeout", defaultValue = "1800", description = "seconds to wait for documents to become searchable") long timeoutSeconds;
    @Option(names = "--results") Path results;
    @Option(names = "--skip-ceiling") boolean skipCeiling;
    @Option(names = "--paced", description = "measure the ceiling first and offer the HTTP load at that rate "
            + "(sustained pipeline) instead of as fast as the gateway accepts (burst, then drain)") boolean paced;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--days-ago", defaultValue = "0", description = "capture the reads this many days ago: the warm-up "
            + "uses 1, so its reads go to yesterday's index and the timed run starts on an empty daily index, as the ceiling does") int daysAgo;
    @Option(names = "--label", description = "the row's label (default: b: HTTP in -> searchable)") String label;
    @Option(names = "--bodies-during-run", description = "build the HTTP request bodies while the clock runs (default: before, "
            + "as the ceiling's bulk bodies are)") boolean bodiesDuringRun;
    @Option(names = "--repeat", defaultValue = "1", description = "e2e + ceiling pairs; the row reports the median ratio "
            + "(pair i captures its reads --days-ago + i days ago)") int repeat;
    @Option(names = "--same-order", description = "time every pair e2e first (default: every other pair times its ceiling "
            + "first, A B B A, so that a machine speeding up or slowing down through the row favours neither side)") boolean sameOrder;
    @Option(names = "--placement", description = "which CPUs each process was pinned to (recorded with the row)") String placement;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(workDir);
        if (repeat < 1 || daysAgo < 0 || daysAgo + repeat > 20) {
            throw new IllegalArgumentException("--days-ago + --repeat must stay within 20 days (retention is 21)");
        }
        EsHttp es = new EsHttp(esUrl);
        String runId = "e2e" + Long.toString(System.currentTimeMillis(), 36);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("kind", "e2e");
        result.put("label", label != null ? label
                : paced ? "b: HTTP in -> searchable, offered at the ceiling's rate" : "b: HTTP in -> searchable");
        if (placement != null) result.put("cpu_placement", placement);
        boolean prebuilt = !bodiesDuringRun && fitsInHeap(count);
        result.put("request_bodies", prebuilt ? "built before the clock" : "built during the run");
        List<Map<String, Object>> pairs = new ArrayList<>();
        long missing = 0;
        for (int rep = 0; rep < repeat; rep++) {
            // each pair's e2e run captures its reads one day further back, so it too starts on an empty daily index
            // within one row both sides drifted by up to a third (fourteenth session); alternating
            // which side goes first cancels a steady drift instead of charging it to the second side
            boolean ceilingFirst = !paced && !skipCeiling && !sameOrder && rep % 2 == 1;
            Map<String, Object> pair = pair(es, repeat == 1 ? runId : runId + "r" + rep, daysAgo + rep, prebuilt, ceilingFirst);
            missing += ((Number) pair.get("acknowledged_missing_in_es")).longValue();
            System.out.println(ResultsFile.toJson(pair));
            pairs.add(pair);
        }
        if (repeat == 1) {
            result.putAll(pairs.get(0));
        } else {
            // one pair's ratio moves by +-0.1 between runs (Elasticsearch's CPU per read alone varies
            // 86-106 us, merges falling inside or after a clock): the median of the pairs' ratios
            result.put("pairs", repeat);
            result.put("reads", count);
            result.put("e2e_reads_per_s", Math.round(median(pairs, "e2e_reads_per_s")));
            if (!skipCeiling || paced) {
                result.put("ceiling_reads_per_s", Math.round(median(pairs, "ceiling_reads_per_s")));
                result.put("ratio", median(pairs, "ratio"));
                result.put("ratios", pairs.stream().map(p -> String.valueOf(p.get("ratio"))).collect(Collectors.joining(" ")));
            }
            result.put("each_pair", pairs.stream().map(p -> p.get("e2e_reads_per_s") + "/" + p.get("ceiling_reads_per_s"))
                    .collect(Collectors.joining(" ")));
            result.put("pair_order", pairs.stream().map(p -> String.valueOf(p.get("order"))).collect(Collectors.joining(" ")));
            result.put("acknowledged_missing_in_es", missing);
        }
        System.out.println(ResultsFile.toJson(result));
        if (results != null) ResultsFile.append(results, result);
        return missing == 0 ? 0 : 3;
    }

    /**
     * One e2e run and the ceiling for as many reads: the ceiling after it, or before it when paced
     * (the load is then offered at the ceiling's rate) or when {@code ceilingFirst}.
     */
    private Map<String, Object> pair(EsHttp es, String runId, int captureDaysAgo, boolean prebuilt, boolean ceilingFirst)
            throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("order", paced || ceilingFirst ? "ceiling-first" : "e2e-first");
        double ceilingRate = paced || ceilingFirst ? ceiling(es, runId, count, result) : 0;
        Path ackFile = workDir.resolve(runId + ".acks");
        String pattern = prefix + "-reads-*";

        long before = es.count(pattern);
        awaitNoMerges(es);
        // the clock starts when the first request can go: connection set-up and body building are not timed
        AtomicLong t0 = new AtomicLong();
        Map<String, Object> load;
        Vertx vertx = Vertx.vertx();
        try {
            load = LoadRunner.run(vertx, new LoadSpec("b: e2e ingest", "http", host, httpPort, "/v1/reads", true, connections, batch, 1, 1,
                    paced ? ceilingRate : 0, 0, count, ackFile, runId, 200_000, 1, captureDaysAgo, 0.03, seed, prebuilt), t0::set);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        long acked = ((Number) load.get("acked_reads")).longValue();
        double e2eSeconds = awaitCount(es, pattern, before + acked, t0.get());
        List<String> missing = VerifyEsCommand.missing(es, pattern, AckLog.readAll(ackFile));

        result.put("reads", acked);
        if (paced) result.put("offered_reads_per_s", Math.round(ceilingRate));
        result.put("ingest_reads_per_s", load.get("reads_per_s"));
        result.put("e2e_seconds", round(e2eSeconds));
        double e2eRate = e2eSeconds > 0 ? acked / e2eSeconds : 0;
        result.put("e2e_reads_per_s", Math.round(e2eRate));
        result.put("acknowledged_missing_in_es", missing.size());
        System.out.println(ResultsFile.toJson(load));
        if (!paced && !ceilingFirst && !skipCeiling) ceilingRate = ceiling(es, runId, acked, result);
        if (ceilingRate > 0) result.put("ratio", Math.round(e2eRate / ceilingRate * 1000) / 1000.0);
        return result;
    }

    static double median(List<Map<String, Object>> rows, String key) {
        double[] v = rows.stream().mapToDouble(r -> ((Number) r.get(key)).doubleValue()).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * The raw ceiling: the same number of reads, as the same stored document bytes, pre-built into
     * bulk bodies and sent straight to Elasticsearch into scratch indices (deleted afterwards).
     */
    private double ceiling(EsHttp es, String runId, long reads, Map<String, Object> result) throws Exception {
        String scratch = "pwbench-ceiling";
        Path spill = workDir.resolve(runId + ".bulk");
        EsTemplates.dropScratch(es, scratch);
        EsTemplates.cloneReadTemplate(es, prefix, scratch);
        long built = BulkLoader.build(spill, scratch, reads, bulkReads, connections, runId + "c", 1, 200_000, seed);
        awaitNoMerges(es);
        long c0 = System.nanoTime();
        long failed = BulkLoader.send(es, spill, bulkConcurrency);
        double ceilingSeconds = awaitCount(es, scratch + "-reads-*", built, c0);
        double ceilingRate = ceilingSeconds > 0 ? built / ceilingSeconds : 0;
        result.put("ceiling_reads_per_s", Math.round(ceilingRate));
        result.put("ceiling_bulk", bulkReads + " x " + bulkConcurrency);
        result.put("ceiling_failed_items", failed);
        EsTemplates.dropScratch(es, scratch);
        Files.deleteIfExists(spill);
        return ceilingRate;
    }

    /**
     * Built request bodies take about 600 bytes of heap per read (JSON, id, batch); past half the
     * heap the generator builds them during the run instead (recorded with the row).
     */
    private static boolean fitsInHeap(long reads) {
        boolean fits = reads * 600 < Runtime.getRuntime().maxMemory() / 2;
        if (!fits) System.err.println("request bodies for " + reads + " reads do not fit in half the heap: built during the run");
        return fits;
    }

    /**
     * Each clock starts with Elasticsearch idle: merges left over from the step before (the warm-up,
     * the e2e run before the ceiling) would otherwise be charged to whichever run comes next. Both
     * clocks still stop at the count, so merges the run itself leaves pending are not charged to
     * either side.
     */
    private static void awaitNoMerges(EsHttp es) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            long running = 0;
            for (JsonNode node : es.json("GET", "/_nodes/stats/indices/merge", null).path("nodes")) {
                running += node.path("indices").path("merges").path("current").asLong();
            }
            if (running == 0) return;
            Thread.sleep(200);
        }
        System.err.println("merges still running after 300 s; timing anyway");
    }

    private double awaitCount(EsHttp es, String pattern, long target, long startNanos) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (countOrZero(es, pattern) >= target) return (System.nanoTime() - startNanos) / 1e9;
            Thread.sleep(100);
        }
        throw new IllegalStateException("only " + countOrZero(es, pattern) + " of " + target + " documents searchable in " + pattern + " after " + timeoutSeconds + " s");
    }

    /**
     * A daily index the indexer has just created can answer 503 (no_shard_available: its primary is
     * still starting) for a moment; that is "nothing searchable yet", not a failed run.
     */
    private static long countOrZero(EsHttp es, String pattern) throws Exception {
        try {
            return es.count(pattern);
        } catch (EsHttp.StatusException e) {
            if (e.status() == 503) return 0;
            throw e;
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
