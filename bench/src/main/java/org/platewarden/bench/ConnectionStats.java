package org.platewarden.bench;

import org.HdrHistogram.Histogram;

/**
 * Counters and the ack-latency histogram of one connection. Only touched from that connection's
 * Vert.x context, so plain fields suffice; merged once the run has ended.
 */
public final class ConnectionStats {
    /** microseconds, 1 us .. 10 min, 3 significant digits */
    final Histogram latencyMicros = new Histogram(1, 600_000_000L, 3);
    long sends;
    long ackedReads;
    long rejectedReads;
    long busyResponses;
    long errors;
    long firstSendNanos = Long.MAX_VALUE;
    long lastAckNanos;
    String firstError;

    void sent(long nanos) {
        sends++;
        if (firstSendNanos == Long.MAX_VALUE) firstSendNanos = nanos;
    }

    void acked(int reads, long dueNanos) {
        long now = System.nanoTime();
        ackedReads += reads;
        lastAckNanos = now;
        latencyMicros.recordValue(Math.max(1, Math.min((now - dueNanos) / 1000, latencyMicros.getHighestTrackableValue())));
    }

    void error(String message) {
        errors++;
        if (firstError == null) firstError = message;
    }
}
