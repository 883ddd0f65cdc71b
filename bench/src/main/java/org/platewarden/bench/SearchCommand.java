package org.platewarden.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.platewarden.core.plate.PlateNormalizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Scenario (c): N reads spread over 21 daily indices (loaded straight into Elasticsearch with the
 * gateway's stored-document bytes), then per query kind the latency of Platewarden's search API
 * versus the same query done naively on the raw {@code plate} keyword (term / wildcard / fuzzy),
 * in the same run, one query at a time.
 */
@Command(name = "search", description = "Scenario (c): fuzzy plate search latency per query kind vs naive wildcard/fuzzy queries.")
public final class SearchCommand implements Callable<Integer> {
    static final List<String> TOKENS = List.of("demo-dpd-investigator", "demo-dpd-supervisor", "demo-acso-investigator");
    private static final String CONFUSABLE_FROM = "0ODQ1I2Z5S8B6G";
    private static final String CONFUSABLE_TO = "O000I1Z2S5B8G6";

    @Option(names = "--search-url", defaultValue = "http://127.0.0.1:8081") String searchUrl;
    @Option(names = "--es-url", defaultValue = "http://127.0.0.1:9200") String esUrl;
    @Option(names = "--prefix", defaultValue = "platewarden") String prefix;
    @Option(names = "--size", defaultValue = "10000000", description = "reads to load (0 = use what is there)") long size;
    @Option(names = "--days", defaultValue = "21") int days;
    @Option(names = "--population", defaultValue = "0",
            description = "vehicles the queries draw from (0 = size/20, as loaded; give the loaded run's size/20 with --size 0)") int population;
    @Option(names = "--settle-timeout", defaultValue = "1200",
            description = "seconds to wait after loading for Elasticsearch's merges to finish before timing") long settleTimeoutSeconds;
    @Option(names = "--queries", defaultValue = "5000", description = "timed queries per kind and side (the p99 of 50 would be their maximum; "
            + "the p99's 95 % interval has an upper bound from 367 on, see QuantileInterval; with 1 000 that bound is the "
            + "4th-slowest value, with 5 000 the 37th, so a few slow searches no longer decide it)") int queries;
    @Option(names = "--warmup", defaultValue = "5", description = "untimed queries per kind and side first") int warmup;
    @Option(names = "--work-dir", defaultValue = "bench/target/work") Path workDir;
    @Option(names = "--results") Path results;
    @Option(names = "--seed", defaultValue = "42", description = "the loaded data's seed (vehicle population)") long seed;
    @Option(names = "--compact", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "before timing, run Platewarden's compaction pass (POST /v1/ops/compaction/run), as the node's "
                    + "schedule would have for every day over for indexer.compaction.after_hours; --no-compact times the indices as loaded")
    boolean compact;
    @Option(names = "--query-seed", description = "which vehicles and variations are queried (default: seed + 1); "
            + "another value re-times loaded data with queries Elasticsearch has not cached") Long querySeed;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int tokenTurn;
    private long throttled;

    @Override
    public Integer call() throws Exception {
        EsHttp es = new EsHttp(esUrl);
        int populationSize = population > 0 ? population : (int) Math.max(1000, size / 20);
        PlatePopulation population = new PlatePopulation(populationSize, seed);
        if (size > 0) {
            Files.createDirectories(workDir);
            Path spill = workDir.resolve("search-load.bulk");
            long built = BulkLoader.build(spill, prefix, size, 5000, 3, "srch" + Long.toString(System.currentTimeMillis(), 36),
                    days, populationSize, seed);
            long t0 = System.nanoTime();
            long failed = BulkLoader.send(es, spill, 2);
            es.send("POST", "/" + prefix + "-reads-*/_refresh", null, null);
            Files.deleteIfExists(spill);
            System.err.printf("loaded %d reads in %.1f s (%d failed items)%n", built, (System.nanoTime() - t0) / 1e9, failed);
            settle(es);
        }
        if (compact) compact();
        // the load and the compaction pass leave gigabytes of freshly written segments in the page
        // cache; the kernel writes them back over the next minute, and searches timed meanwhile
        // (their audit fsync above all) measure that writeback, not a node that took these reads
        // over days. Flush it before timing, and say how much there was.
        long dirtyMib = WritebackFlush.flush();
        long docs = es.count(prefix + "-reads-*");
        int segments = primarySegments(es);
        System.err.printf("timing over %d reads in %d segments%n", docs, segments);

        Instant to = Instant.now();
        Instant from = to.minus(Duration.ofDays(days));
        // one untimed round of every kind first (its own vehicles), so the node is past cold caches
        // and the JIT of the search path before any kind is timed
        Random warmupRandom = new Random(~(querySeed != null ? querySeed : seed + 1));
        for (int i = 0; i < warmup; i++) {
            for (QueryKind kind : QueryKind.values()) {
                Query q = kind.make(population.plate(warmupRandom.nextInt(Math.max(1, populationSize / 20))), warmupRandom);
                productSearch(q, from, to);
                naiveSearch(es, q, from, to);
            }
        }
        // the kinds take turns, one query each per round: whatever drifts during the timed pass
        // (Elasticsearch's caches and collections, the JIT, other work on the machine) falls on
        // every kind alike instead of on whichever kind happens to run first. Each kind draws its
        // queries from its own random stream, so they do not depend on the order of the kinds.
        long querySeedValue = querySeed != null ? querySeed : seed + 1;
        Map<QueryKind, KindTally> tallies = new LinkedHashMap<>();
        for (QueryKind kind : QueryKind.values()) tallies.put(kind, new KindTally(new Random(querySeedValue * 31 + kind.ordinal())));
        for (int i = 0; i < warmup + queries; i++) {
            for (QueryKind kind : QueryKind.values()) {
                KindTally tally = tallies.get(kind);
                String raw = population.plate(tally.random.nextInt(Math.max(1, populationSize / 20)));
                Query q = kind.make(raw, tally.random);
                // Elasticsearch's young collections, read just outside the timed requests: a search
                // they overlap waits for the pause (see "what limits each figure")
                YoungGc before = YoungGc.read(es);
                SearchPhases.Sums phasesBefore = SearchPhases.Sums.read(http, searchUrl + "/metrics");
                ProductAnswer answer = productSearch(q, from, to);
                SearchPhases.Sums phasesAfter = SearchPhases.Sums.read(http, searchUrl + "/metrics");
                YoungGc after = YoungGc.read(es);
                long m = System.nanoTime();
                int naiveHits = naiveSearch(es, q, from, to);
                long e = System.nanoTime();
                if (i >= warmup) {
                    YoungGc afterNaive = YoungGc.read(es);
                    tally.add(answer, Math.max(1, (e - m) / 1000), naiveHits,
                            SearchPhases.Sample.between(Math.max(1, answer.nanos() / 1000) / 1000.0, phasesBefore, phasesAfter),
                            after.minus(before), afterNaive.minus(before));
                }
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (QueryKind kind : QueryKind.values()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("kind", "search");
            row.put("query_kind", kind.label);
            row.put("reads", docs);
            row.put("queries", queries);
            row.put("es_segments", segments);
            row.put("dirty_mib_flushed", dirtyMib < 0 ? null : dirtyMib);
            tallies.get(kind).putColumns(row, queries);
            rows.add(row);
            System.out.println(ResultsFile.toJson(row));
        }
        if (throttled > 0) System.err.println("search API rate limit answered 429 " + throttled + " times (waits not timed)");
        if (results != null) for (Map<String, Object> row : rows) ResultsFile.append(results, row);
        return 0;
    }

    /**
     * A bulk load leaves Elasticsearch merging segments for minutes; queries timed meanwhile
     * measure the merges (the first kinds worst). A node that took yesterday's reads is long past
     * that, so wait until no merge has been running for 5 s in a row (bounded).
     */
    private void settle(EsHttp es) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + settleTimeoutSeconds * 1_000_000_000L;
        int quiet = 0;
        while (quiet < 5 && System.nanoTime() < deadline) {
            JsonNode nodes = es.json("GET", "/_nodes/stats/indices/merge", null).path("nodes");
            long running = 0;
            for (JsonNode n : nodes) running += n.path("indices").path("merges").path("current").asLong();
            quiet = running == 0 ? quiet + 1 : 0;
            Thread.sleep(1000);
        }
        System.err.printf("merges settled after %.0f s%s%n", (System.nanoTime() - t0) / 1e9, quiet < 5 ? " (timeout: still merging)" : "");
    }

    /**
     * Platewarden's own compaction pass, through its ops API (audited like any ops call): force-merges
     * the daily indices of finished days, which a node running for days would already have done.
     */
    private void compact() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(searchUrl + "/v1/ops/compaction/run"))
                .header("authorization", "Bearer demo-dpd-ops").timeout(Duration.ofHours(2))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new IOException("compaction run -> " + r.statusCode() + ": " + new String(r.body()));
        JsonNode report = EsHttp.JSON.readTree(r.body());
        if (report.path("failed").size() > 0) throw new IOException("compaction failed for " + report.path("failed"));
        System.err.printf("compaction: %d indices merged, %d already compact, %d not due, in %.0f s%n", report.path("compacted").size(),
                report.path("already_compact").size(), report.path("not_due").size(), (System.nanoTime() - t0) / 1e9);
    }

    /** Lucene segments of the primaries of every daily read index, summed. */
    private int primarySegments(EsHttp es) throws IOException, InterruptedException {
        return es.json("GET", "/" + prefix + "-reads-*/_stats/segments?filter_path=_all.primaries.segments.count", null)
                .path("_all").path("primaries").path("segments").path("count").asInt();
    }

    /** Young-generation collections of every Elasticsearch node so far: count and total pause time. */
    record YoungGc(long collections, long millis) {
        static YoungGc read(EsHttp es) throws IOException, InterruptedException {
            JsonNode nodes = es.json("GET", "/_nodes/stats/jvm?filter_path=nodes.*.jvm.gc.collectors.young", null).path("nodes");
            long count = 0, millis = 0;
            for (JsonNode node : nodes) {
                JsonNode young = node.path("jvm").path("gc").path("collectors").path("young");
                count += young.path("collection_count").asLong();
                millis += young.path("collection_time_in_millis").asLong();
            }
            return new YoungGc(count, millis);
        }

        YoungGc minus(YoungGc earlier) {
            return new YoungGc(collections - earlier.collections, millis - earlier.millis);
        }
    }

    /** One kind's timed queries, both sides, and its own random stream of queries. */
    private static final class KindTally {
        /** The target for every kind's p99. */
        static final long P99_TARGET_MS = 50;
        final Random random;
        final Histogram product = new Histogram(1, 600_000_000L, 3);
        final Histogram naive = new Histogram(1, 600_000_000L, 3);
        final SearchPhases phases = new SearchPhases();
        /** Every timed Platewarden search's µs, for the p99's confidence interval (HdrHistogram keeps no order statistics). */
        final List<Long> productMicros = new ArrayList<>();
        long productHits, naiveHits, metGc, metGcMicros, youngGcs, youngGcMillis;

        KindTally(Random random) {
            this.random = random;
        }

        /**
         * @param duringProduct Elasticsearch's young collections while the Platewarden search ran
         * @param duringPair    ... while the Platewarden search and the naive query ran
         */
        void add(ProductAnswer answer, long naiveMicros, int naiveHitCount, SearchPhases.Sample sample,
                 YoungGc duringProduct, YoungGc duringPair) {
            long micros = Math.max(1, answer.nanos() / 1000);
            product.recordValue(micros);
            productMicros.add(micros);
            naive.recordValue(naiveMicros);
            phases.add(sample);
            productHits += answer.hits();
            naiveHits += naiveHitCount;
            if (duringProduct.collections() > 0) {
                metGc++;
                metGcMicros += micros;
            }
            youngGcs += duringPair.collections();
            youngGcMillis += duringPair.millis();
        }

        /**
         * The p99's 95 % confidence interval ({@link QuantileInterval}; a bound the sample cannot
         * give is null) and what it says about the target: {@code met} if its upper bound is at
         * most {@value #P99_TARGET_MS} ms, {@code missed} if its lower bound is above, else
         * {@code undecided} — more queries would tell.
         */
        void putP99Interval(Map<String, Object> row) {
            long[] values = productMicros.stream().mapToLong(Long::longValue).toArray();
            Long[] bounds = values.length == 0 ? new Long[2] : QuantileInterval.ranks(values.length, 0.99, 0.05).bounds(values);
            row.put("pw_p99_lo_ms", bounds[0] == null ? null : LoadResult.ms(bounds[0]));
            row.put("pw_p99_hi_ms", bounds[1] == null ? null : LoadResult.ms(bounds[1]));
            long target = P99_TARGET_MS * 1000;
            row.put("pw_p99_vs_target", bounds[1] != null && bounds[1] <= target ? "met"
                    : bounds[0] != null && bounds[0] > target ? "missed" : "undecided");
        }

        void putColumns(Map<String, Object> row, int queries) {
            row.put("pw_p50_ms", LoadResult.ms(product.getValueAtPercentile(50)));
            row.put("pw_p95_ms", LoadResult.ms(product.getValueAtPercentile(95)));
            row.put("pw_p99_ms", LoadResult.ms(product.getValueAtPercentile(99)));
            putP99Interval(row);
            row.put("naive_p50_ms", LoadResult.ms(naive.getValueAtPercentile(50)));
            row.put("naive_p95_ms", LoadResult.ms(naive.getValueAtPercentile(95)));
            row.put("naive_p99_ms", LoadResult.ms(naive.getValueAtPercentile(99)));
            row.put("pw_mean_hits", Math.round(productHits * 10.0 / Math.max(1, queries)) / 10.0);
            row.put("naive_mean_hits", Math.round(naiveHits * 10.0 / Math.max(1, queries)) / 10.0);
            // Elasticsearch's young collections during this kind's query pairs (both sides); how many
            // Platewarden searches met one, and their mean against the kind's mean
            row.put("es_young_gcs", youngGcs);
            row.put("es_young_gc_ms", youngGcMillis);
            row.put("pw_mean_ms", LoadResult.ms(Math.round(product.getMean())));
            row.put("pw_met_gc", metGc);
            row.put("pw_met_gc_mean_ms", metGc == 0 ? null : LoadResult.ms(metGcMicros / metGc));
            phases.putColumns(row);
        }
    }

    /** One answered Platewarden search: its hits and the time of the attempt that was answered. */
    record ProductAnswer(int hits, long nanos) {
    }

    /**
     * Platewarden: POST /v1/search; a 429 (per-user rate limit) waits Retry-After and retries. Only
     * the answered attempt is timed: neither the 429 round trips nor the waits count.
     */
    private ProductAnswer productSearch(Query q, Instant from, Instant to) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("plate", q.text);
        body.put("max_edits", q.maxEdits);
        body.put("ocr", q.ocr);
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("purpose", "stolen_vehicle");
        body.put("case_number", "BENCH-2026-000001");
        body.put("limit", 100);
        byte[] json = EsHttp.JSON.writeValueAsBytes(body);
        for (int attempt = 0; attempt < 100; attempt++) {
            String token = TOKENS.get(tokenTurn++ % TOKENS.size());
            long started = System.nanoTime();
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(searchUrl + "/v1/search"))
                    .header("authorization", "Bearer " + token).header("content-type", "application/json")
                    .timeout(Duration.ofMinutes(1)).POST(HttpRequest.BodyPublishers.ofByteArray(json)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 429) {
                throttled++;
                long wait = r.headers().firstValue("retry-after").map(Long::parseLong).orElse(1L);
                Thread.sleep(Math.min(60, Math.max(1, wait)) * 1000 / TOKENS.size());
                continue;
            }
            if (r.statusCode() != 200) throw new IOException("search " + q.text + " -> " + r.statusCode() + ": " + new String(r.body()));
            long nanos = System.nanoTime() - started;
            return new ProductAnswer(EsHttp.JSON.readTree(r.body()).path("hits").size(), nanos);
        }
        throw new IOException("search API kept answering 429");
    }

    /** Naive: the same query as a term / wildcard / fuzzy query on the raw plate keyword, over every daily index. */
    private int naiveSearch(EsHttp es, Query q, Instant from, Instant to) throws IOException, InterruptedException {
        Map<String, Object> match = switch (q.naiveType) {
            case "term" -> Map.of("term", Map.of("plate", q.text));
            case "wildcard" -> Map.of("wildcard", Map.of("plate", Map.of("value", q.text)));
            default -> Map.of("fuzzy", Map.of("plate", Map.of("value", q.text, "fuzziness", Math.max(1, q.maxEdits))));
        };
        Map<String, Object> body = Map.of("size", 100, "sort", List.of(Map.of("captured_at", "desc")),
                "query", Map.of("bool", Map.of("must", List.of(match),
                        "filter", List.of(Map.of("range", Map.of("captured_at", Map.of("gte", from.toString(), "lte", to.toString())))))));
        JsonNode r = es.json("POST", "/" + prefix + "-reads-*/_search", body);
        return r.path("hits").path("hits").size();
    }

    record Query(String text, int maxEdits, boolean ocr, String naiveType) {
    }

    enum QueryKind {
        EXACT("exact") {
            Query make(String raw, Random r) {
                return new Query(raw, 0, false, "term");
            }
        },
        ONE_UNKNOWN("? (one unknown)") {
            Query make(String raw, Random r) {
                char[] c = raw.toCharArray();
                c[alnumPosition(raw, r)] = '?';
                return new Query(new String(c), 0, false, "wildcard");
            }
        },
        INFIX("* infix") {
            Query make(String raw, Random r) {
                String norm = PlateNormalizer.normalize(raw);
                int start = r.nextInt(Math.max(1, norm.length() - 3));
                return new Query("*" + norm.substring(start, Math.min(norm.length(), start + 4)) + "*", 0, false, "wildcard");
            }
        },
        OCR("OCR misread") {
            Query make(String raw, Random r) {
                char[] c = raw.toCharArray();
                for (int attempt = 0; attempt < 20; attempt++) {
                    int i = r.nextInt(c.length);
                    int k = CONFUSABLE_FROM.indexOf(c[i]);
                    if (k >= 0) {
                        c[i] = CONFUSABLE_TO.charAt(k);
                        return new Query(new String(c), 0, true, "fuzzy");
                    }
                }
                return new Query(raw, 0, true, "fuzzy");
            }
        },
        EDIT1("1 edit") {
            Query make(String raw, Random r) {
                return new Query(substitute(raw, 1, r), 1, false, "fuzzy");
            }
        },
        EDIT2("2 edits") {
            Query make(String raw, Random r) {
                return new Query(substitute(raw, 2, r), 2, false, "fuzzy");
            }
        };

        final String label;

        QueryKind(String label) {
            this.label = label;
        }

        abstract Query make(String raw, Random r);

        static int alnumPosition(String raw, Random r) {
            while (true) {
                int i = r.nextInt(raw.length());
                if (Character.isLetterOrDigit(raw.charAt(i))) return i;
            }
        }

        /** Substitutions with characters outside the original's OCR class, so they are real edits. */
        static String substitute(String raw, int edits, Random r) {
            char[] c = raw.toCharArray();
            List<Integer> used = new ArrayList<>();
            while (used.size() < edits) {
                int i = alnumPosition(raw, r);
                if (used.contains(i)) continue;
                used.add(i);
                char replacement;
                do {
                    replacement = Character.isDigit(c[i]) ? (char) ('0' + r.nextInt(10)) : (char) ('A' + r.nextInt(26));
                } while (replacement == c[i] || CONFUSABLE_FROM.indexOf(replacement) >= 0);
                c[i] = replacement;
            }
            return new String(c);
        }
    }
}
