package org.platewarden.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one attempt to start a role adds to the node's Vert.x and metrics registry, so that a failed
 * attempt can take it back before the next one (which is tried on a node whose gateway runs on):
 * the verticles it deployed (their servers, timers and worker pools go with them), and the gauges
 * it registered under the role's names. A gauge reads the object that registered it, and a second
 * registration of the same name returns the first: left in place, it would go on reading the failed
 * attempt's objects and never the running role's. Counters need no undoing: the next attempt gets
 * the same counter back and goes on counting. Only the role's names are removed, so that a gauge
 * another role registers meanwhile stays.
 */
final class RoleStartScope {
    private static final Logger LOG = LoggerFactory.getLogger(RoleStartScope.class);

    private final Vertx vertx;
    private final MeterRegistry registry;
    private final List<String> meterPrefixes;
    private final Set<String> deploymentsBefore;
    private final Set<Meter.Id> metersBefore = new HashSet<>();

    /** @param meterPrefixes the beginnings of the role's meter names (as registered, e.g. {@code platewarden.search}) */
    RoleStartScope(Vertx vertx, MeterRegistry registry, List<String> meterPrefixes) {
        this.vertx = vertx;
        this.registry = registry;
        this.meterPrefixes = meterPrefixes;
        this.deploymentsBefore = new HashSet<>(vertx.deploymentIDs());
        registry.getMeters().forEach(m -> metersBefore.add(m.getId()));
    }

    /**
     * Undeploys what the attempt deployed, then closes {@code closedAfter} (what the role holds
     * outside Vert.x: the audit journal and its lock), then removes the role's gauges it registered.
     * On the starting thread, never an event loop: it waits for each step.
     */
    void undo(AutoCloseable closedAfter) {
        for (String id : vertx.deploymentIDs()) {
            if (deploymentsBefore.contains(id)) continue;
            try {
                vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("a deployment of a failed start did not undeploy cleanly: {}", e.toString());
            }
        }
        if (closedAfter != null) {
            try {
                closedAfter.close();
            } catch (Exception e) {
                LOG.warn("what a failed start held did not close cleanly: {}", e.toString());
            }
        }
        for (Meter meter : registry.getMeters()) {
            if (!metersBefore.contains(meter.getId()) && readsAnObject(meter) && ofTheRole(meter.getId().getName())) registry.remove(meter);
        }
    }

    private static boolean readsAnObject(Meter meter) {
        return meter instanceof Gauge || meter instanceof FunctionCounter || meter instanceof FunctionTimer;
    }

    private boolean ofTheRole(String name) {
        return meterPrefixes.stream().anyMatch(name::startsWith);
    }
}
