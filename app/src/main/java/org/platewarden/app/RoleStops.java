package org.platewarden.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The undeploy of every deployment at a stop, all at once (as before: the grace of each role runs
 * alongside the others'), and one log line per role once it is over: INFO with how long it took,
 * WARN when its undeploy failed, ERROR when it did not end within the wait. Ops reading the log
 * after a restart tell a clean stop from a crash by these lines.
 */
final class RoleStops {
    private static final Logger LOG = LoggerFactory.getLogger(RoleStops.class);

    private RoleStops() {
    }

    /**
     * Undeploys every deployment of {@code vertx}, {@code roleOf} naming the role each belongs to,
     * and waits at most {@code waitSeconds} for them all; returns what did not stop cleanly (empty: all did).
     */
    static List<String> undeployAll(Vertx vertx, Function<String, String> roleOf, long waitSeconds) throws InterruptedException {
        long began = System.nanoTime();
        Map<String, List<Future<Void>>> byRole = new LinkedHashMap<>();
        for (String id : vertx.deploymentIDs()) byRole.computeIfAbsent(roleOf.apply(id), r -> new ArrayList<>()).add(vertx.undeploy(id));
        Map<String, Future<?>> stops = new LinkedHashMap<>();
        Map<String, Long> endedAt = new java.util.concurrent.ConcurrentHashMap<>();
        byRole.forEach((role, undeploys) -> stops.put(role, Future.join(undeploys).onComplete(done -> endedAt.put(role, System.nanoTime()))));
        try {
            Future.join(new ArrayList<>(stops.values())).toCompletionStage().toCompletableFuture().get(waitSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException reportedBelow) {
            // each role's own outcome is said below
        }
        List<String> problems = new ArrayList<>();
        stops.forEach((role, stop) -> {
            Long ended = endedAt.get(role);
            if (!stop.isComplete() || ended == null) {
                LOG.error("{} did not stop within {} s: requests still under way are cut off as Vert.x closes", role, waitSeconds);
                problems.add(role + " did not stop within " + waitSeconds + " s");
            } else if (stop.failed()) {
                LOG.warn("{} did not stop cleanly after {} ms: {}", role, millis(ended - began), stop.cause().toString());
                problems.add(role + " did not stop cleanly (" + stop.cause() + ")");
            } else {
                LOG.info("{} stopped in {} ms", role, millis(ended - began));
            }
        });
        return problems;
    }

    static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
