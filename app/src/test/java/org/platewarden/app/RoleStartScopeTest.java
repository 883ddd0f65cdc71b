package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A failed attempt to start a role takes back what it added to Vert.x and the registry, and only that. */
class RoleStartScopeTest {
    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static final class Running extends VerticleBase {
        final AtomicBoolean stopped = new AtomicBoolean();

        @Override
        public Future<?> stop() {
            stopped.set(true);
            return Future.succeededFuture();
        }
    }

    @Test
    void undoUndeploysWhatTheAttemptDeployedThenClosesThenDropsTheRolesGauges() throws Exception {
        Running before = new Running();
        String kept = deploy(before);
        Gauge.builder("platewarden.search.running", () -> 1).register(registry);
        RoleStartScope scope = new RoleStartScope(vertx, registry, List.of("platewarden.search"));

        Running attempt = new Running();
        deploy(attempt);
        Object failedService = new Object();
        Gauge.builder("platewarden.search.queued", failedService, o -> 2).register(registry);
        Gauge.builder("platewarden.gateway.connected.cameras", () -> 3).register(registry); // another role's, meanwhile
        registry.counter("platewarden.search.busy").increment();

        AtomicBoolean closedAfterUndeploy = new AtomicBoolean();
        scope.undo(() -> closedAfterUndeploy.set(attempt.stopped.get()));

        assertTrue(attempt.stopped.get(), "the attempt's verticle is undeployed");
        assertTrue(closedAfterUndeploy.get(), "what the role holds closes after its verticle stopped");
        assertEquals(Set.of(kept), vertx.deploymentIDs(), "what ran before the attempt runs on");
        assertNull(registry.find("platewarden.search.queued").gauge(), "the failed attempt's gauge is gone: the next attempt's registers afresh");
        assertNotNull(registry.find("platewarden.search.running").gauge(), "a gauge from before the attempt stays");
        assertNotNull(registry.find("platewarden.gateway.connected.cameras").gauge(), "another role's gauge stays");
        assertEquals(1.0, registry.get("platewarden.search.busy").counter().count(), "counters stay and go on counting");
        // the next attempt's gauge reads the next attempt's object
        Gauge.builder("platewarden.search.queued", new Object(), o -> 5).register(registry);
        assertEquals(5.0, registry.get("platewarden.search.queued").gauge().value());
    }

    private String deploy(Running verticle) throws Exception {
        return vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
