package org.platewarden.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * The retry of a failed start of the roles that need Elasticsearch, on a node whose gateway goes on
 * taking reads meanwhile: Elasticsearch answered, but starting a role failed (a 429, a write block
 * on the audit index, a master not yet elected, a timeout, an audit journal locked or damaged until
 * ops mend it). Nothing of that needs a restart to clear, so the start is tried again, for as long
 * as the node runs, after {@value #FIRST_DELAY_MS} ms doubling to {@value #MAX_DELAY_MS} ms: soon
 * enough that a condition which clears by itself costs seconds, and a mended one at most a minute;
 * seldom enough that each failure can be logged at ERROR without flooding the log, and that a start
 * (templates, the audit trail's recovery: a few dozen requests) does not add load to a cluster that
 * is refusing for load. Not a configuration key: readiness says when the next attempt is, and no
 * deployment needs another pace.
 *
 * <p>Holds what readiness says about the last failure and counts each in
 * {@code platewarden_node_role_start_failures_total{role}}.
 */
final class RoleStartRetry {
    static final long FIRST_DELAY_MS = 5_000;
    static final long MAX_DELAY_MS = 60_000;

    /** What the last failed attempt left not running, and why, for readiness (no address of Elasticsearch). */
    private record Failure(String notRunning, int attempt, Instant at, String cause, Instant next) {
    }

    private final Map<Role, Counter> failures = new EnumMap<>(Role.class);
    private final long firstDelayMs;
    private final long maxDelayMs;
    private int attempts;
    private volatile Failure last;

    /** @param roles the roles that need Elasticsearch on this node: their counters exist from the start, at 0 */
    RoleStartRetry(MeterRegistry registry, Set<Role> roles, long firstDelayMs, long maxDelayMs) {
        this.firstDelayMs = firstDelayMs;
        this.maxDelayMs = maxDelayMs;
        for (Role role : roles) {
            if (role == Role.GATEWAY) continue;
            failures.put(role, Counter.builder("platewarden.node.role.start.failures").tag("role", role.name().toLowerCase())
                    .description("failed attempts to start a role that needs Elasticsearch once it answered (indexer, search API);"
                            + " on a node with the gateway each is tried again after a back-off")
                    .register(registry));
        }
    }

    /** Counts a failed attempt to start {@code role}: every one, also one not retried (a node without the gateway then stops). */
    void count(Role role) {
        Counter counter = failures.get(role);
        if (counter != null) counter.increment();
    }

    /**
     * Notes a failed attempt (already counted) and returns how long to wait before the next one.
     *
     * @param publicCause why, without where Elasticsearch is ({@link StartupFailure#describePublicly})
     */
    long failed(String notRunning, String publicCause, Instant now) {
        attempts++;
        long delay = delayAfter(attempts, firstDelayMs, maxDelayMs);
        last = new Failure(notRunning, attempts, now, publicCause, now.plusMillis(delay));
        return delay;
    }

    /** Failed attempts so far. */
    int attempts() {
        return attempts;
    }

    /** The roles run: readiness no longer speaks of the failure. */
    void succeeded() {
        last = null;
    }

    /**
     * For readiness: "the search API could not start (attempt 2 failed at …: why); retried", null
     * before any failure and once the roles run.
     */
    String failure() {
        Failure f = last;
        if (f == null) return null;
        return f.notRunning() + " (attempt " + f.attempt() + " failed at " + f.at().truncatedTo(ChronoUnit.SECONDS) + ": " + f.cause()
                + "; the node's log says more); the start is retried";
    }

    /** For readiness during the back-off: when the next attempt begins. */
    String nextAttempt() {
        Failure f = last;
        return f == null ? "" : "next attempt at " + f.next().truncatedTo(ChronoUnit.SECONDS);
    }

    /** {@code first} ms after the first failure, doubling to {@code max} ms. */
    static long delayAfter(int failures, long first, long max) {
        long delay = first << Math.min(failures - 1, 20);
        return Math.min(delay, max);
    }
}
