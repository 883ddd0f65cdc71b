package org.platewarden.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The merged outcome of one load run, as it goes into the results file. */
public final class LoadResult {

    private LoadResult() {
    }

    public static Map<String, Object> merge(String label, String transport, Map<String, Object> settings, List<ConnectionStats> all) {
        Histogram latency = new Histogram(1, 600_000_000L, 3);
        long sends = 0, acked = 0, rejected = 0, busy = 0, errors = 0, first = Long.MAX_VALUE, last = 0;
        String firstError = null;
        for (ConnectionStats s : all) {
            latency.add(s.latencyMicros);
            sends += s.sends;
            acked += s.ackedReads;
            rejected += s.rejectedReads;
            busy += s.busyResponses;
            errors += s.errors;
            first = Math.min(first, s.firstSendNanos);
            last = Math.max(last, s.lastAckNanos);
            if (firstError == null) firstError = s.firstError;
        }
        double seconds = last > first ? (last - first) / 1e9 : 0;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("label", label);
        result.put("transport", transport);
        result.putAll(settings);
        result.put("sends", sends);
        result.put("acked_reads", acked);
        result.put("rejected_reads", rejected);
        result.put("busy_responses", busy);
        result.put("errors", errors);
        if (firstError != null) result.put("first_error", firstError);
        result.put("seconds", round(seconds));
        result.put("reads_per_s", seconds > 0 ? Math.round(acked / seconds) : 0);
        result.put("ack_p50_ms", ms(latency.getValueAtPercentile(50)));
        result.put("ack_p99_ms", ms(latency.getValueAtPercentile(99)));
        result.put("ack_p999_ms", ms(latency.getValueAtPercentile(99.9)));
        result.put("ack_max_ms", ms(latency.getMaxValue()));
        return result;
    }

    static double ms(long micros) {
        return round(micros / 1000.0);
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
