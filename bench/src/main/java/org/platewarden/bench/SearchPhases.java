package org.platewarden.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Where one Platewarden search's time went, from the search node's own Prometheus timers read just
 * before and after it (outside the timed request; the benchmark sends one search at a time, so the
 * difference belongs to that search): the ranked page or the candidate scan, the audit record
 * (journaled and indexed) and the page fetch, which runs at the same time as the audit write.
 * The audit record's two durable steps are also timed apart (since the seventeenth session): the
 * journal (queue, append, fsync on the search node's disk) and the index call (Elasticsearch, with
 * its translog fsync). A search first answered 429 (rate limit) also carries those attempts' audit
 * records in its audit figures; the benchmark's rate limit makes that rare.
 */
final class SearchPhases {
    /** Cumulative seconds per timer, as {@code /metrics} shows them. */
    record Sums(double match, double audit, double fetch, double auditJournal, double auditIndex) {
        static Sums read(HttpClient http, String metricsUrl) throws IOException, InterruptedException {
            String text = http.send(HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double match = 0, audit = 0, fetch = 0, journal = 0, index = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith("platewarden_search_phase_seconds_sum{")) {
                    double v = value(line);
                    if (line.contains("phase=\"fetch\"")) fetch += v;
                    else match += v; // "scan" or "page": a search runs one of them
                } else if (line.startsWith("platewarden_audit_write_seconds_sum")) {
                    audit += value(line);
                } else if (line.startsWith("platewarden_audit_journal_seconds_sum")) {
                    journal += value(line);
                } else if (line.startsWith("platewarden_audit_index_seconds_sum")) {
                    index += value(line);
                }
            }
            return new Sums(match, audit, fetch, journal, index);
        }

        private static double value(String line) {
            return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
    }

    /** One search: the client's time and the server's phases, in ms. */
    record Sample(double clientMs, double matchMs, double auditMs, double fetchMs, double auditJournalMs, double auditIndexMs) {
        static Sample between(double clientMs, Sums before, Sums after) {
            return new Sample(clientMs, (after.match() - before.match()) * 1000, (after.audit() - before.audit()) * 1000,
                    (after.fetch() - before.fetch()) * 1000, (after.auditJournal() - before.auditJournal()) * 1000,
                    (after.auditIndex() - before.auditIndex()) * 1000);
        }

        /** What the phases do not cover: HTTP, parsing, access checks, the holds scan, queueing. */
        double otherMs() {
            return clientMs - matchMs - Math.max(auditMs, fetchMs);
        }
    }

    private final List<Sample> samples = new ArrayList<>();

    void add(Sample sample) {
        samples.add(sample);
    }

    /**
     * Mean phases of all searches and of the slowest 5 % (at least one): what the tail spends its
     * extra time on. Columns {@code all_*} and {@code tail_*}, in ms.
     */
    void putColumns(Map<String, Object> row) {
        if (samples.isEmpty()) return;
        List<Sample> slowest = new ArrayList<>(samples);
        slowest.sort(Comparator.comparingDouble(Sample::clientMs).reversed());
        slowest = slowest.subList(0, Math.max(1, slowest.size() / 20));
        put(row, "all", samples);
        put(row, "tail", slowest);
    }

    private static void put(Map<String, Object> row, String prefix, List<Sample> samples) {
        row.put(prefix + "_ms", mean(samples, Sample::clientMs));
        row.put(prefix + "_match_ms", mean(samples, Sample::matchMs));
        row.put(prefix + "_audit_ms", mean(samples, Sample::auditMs));
        row.put(prefix + "_audit_journal_ms", mean(samples, Sample::auditJournalMs));
        row.put(prefix + "_audit_index_ms", mean(samples, Sample::auditIndexMs));
        row.put(prefix + "_fetch_ms", mean(samples, Sample::fetchMs));
        row.put(prefix + "_other_ms", mean(samples, Sample::otherMs));
    }

    private static double mean(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> f) {
        return Math.round(samples.stream().mapToDouble(f).average().orElse(0) * 10) / 10.0;
    }
}
