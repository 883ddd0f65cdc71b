package org.platewarden.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.Camera;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.config.SecretHash;
import org.platewarden.gateway.ingest.OverloadedException;

class CameraAuthenticatorTest {
    final Vertx vertx = Vertx.vertx();
    final WorkerExecutor pool = vertx.createSharedWorkerExecutor("auth-test", 1);
    final List<Camera> cameras = PlatewardenConfig.demoConfig().cameras();
    final AtomicLong nanos = new AtomicLong(1_000);

    @AfterEach
    void close() {
        vertx.close().await();
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** A rotation: the new secret and the previous one both work until the previous one is removed from the config. */
    @Test
    void aRotatingCameraIsAcceptedWithItsNewAndItsPreviousSecretAndNoOther() throws Exception {
        Camera rotating = new Camera("cam-900", "DPD", SecretHash.hash("new-secret-900"), null, SecretHash.hash("old-secret-900"));
        Camera rotated = new Camera("cam-901", "DPD", SecretHash.hash("new-secret-901"), null);
        CameraAuthenticator auth = new CameraAuthenticator(List.of(rotating, rotated), pool, 4, Duration.ofMinutes(5), nanos::get);
        assertEquals("cam-900", await(auth.authenticate("cam-900", "new-secret-900")).id());
        assertEquals("cam-900", await(auth.authenticate("cam-900", "old-secret-900")).id());
        assertInstanceOf(BadCredentialsException.class,
                auth.authenticate("cam-900", "other").toCompletionStage().toCompletableFuture().handle((c, e) -> e).get(20, TimeUnit.SECONDS));
        // once the previous secret is gone from the config, it no longer works
        assertInstanceOf(BadCredentialsException.class,
                auth.authenticate("cam-901", "old-secret-900").toCompletionStage().toCompletableFuture().handle((c, e) -> e).get(20, TimeUnit.SECONDS));
    }

    /**
     * A wrong secret for an unknown camera id was answered at once and a known one's after PBKDF2, so
     * timing told which camera ids exist. An unknown id's check now runs the same hashing, on the
     * same bounded pool, and is refused as a wrong secret.
     */
    @Test
    void anUnknownCameraIdIsCheckedThroughTheSameHashingAsAKnownOne() throws Exception {
        CameraAuthenticator auth = new CameraAuthenticator(cameras, pool, 4, Duration.ofMinutes(5), nanos::get);
        assertInstanceOf(BadCredentialsException.class, failure(auth.authenticate("cam-001", "wrong")));
        assertEquals(1, auth.hashesComputed(), "a known camera: one PBKDF2");
        assertInstanceOf(BadCredentialsException.class, failure(auth.authenticate("no-such-camera", "wrong")));
        assertEquals(2, auth.hashesComputed(), "an unknown camera: one PBKDF2 too");
        assertInstanceOf(BadCredentialsException.class, failure(auth.authenticate("no-such-camera", "demo-cam-001")),
                "never a match, whatever the secret");
        // the same pool and cap: with none free, an unknown id waits its turn like a known one
        CameraAuthenticator saturated = new CameraAuthenticator(cameras, pool, 0, Duration.ofMinutes(5), nanos::get);
        assertInstanceOf(OverloadedException.class, failure(saturated.authenticate("no-such-camera", "wrong")));
        assertInstanceOf(OverloadedException.class, failure(saturated.authenticate("cam-001", "wrong")));
    }

    private static Throwable failure(Future<Camera> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().handle((c, e) -> e).get(20, TimeUnit.SECONDS);
    }

    @Test
    void saturationFailsFastAndSuccessIsCachedUntilTtl() throws Exception {
        CameraAuthenticator auth = new CameraAuthenticator(cameras, pool, 1, Duration.ofMinutes(5), nanos::get);
        Future<Camera> first = auth.authenticate("cam-001", "demo-cam-001");
        Future<Camera> second = auth.authenticate("cam-002", "demo-cam-002");
        // one verification may be in flight: the second is refused at once, not queued
        assertTrue(second.failed());
        assertInstanceOf(OverloadedException.class, second.cause());
        assertEquals("DPD", await(first).agency());
        assertEquals(0, auth.verificationsInFlight());

        Future<Camera> cached = auth.authenticate("cam-001", "demo-cam-001");
        assertTrue(cached.succeeded(), "a verified secret is served from the cache without PBKDF2");
        Future<Camera> wrong = auth.authenticate("cam-001", "demo-cam-00X");
        assertFalse(wrong.isComplete(), "a different secret is never a cache hit");
        assertInstanceOf(BadCredentialsException.class, wrong.toCompletionStage().toCompletableFuture().handle((c, e) -> e).get(20, TimeUnit.SECONDS));

        nanos.addAndGet(Duration.ofMinutes(6).toNanos());
        Future<Camera> expired = auth.authenticate("cam-001", "demo-cam-001");
        assertFalse(expired.isComplete(), "after the TTL the secret is verified again");
        await(expired);
    }

    @Test
    void unknownCameraAndMissingCredentialsAreBadCredentials() throws Exception {
        CameraAuthenticator auth = new CameraAuthenticator(cameras, pool, 4, Duration.ofMinutes(5), nanos::get);
        // after a PBKDF2 of its own (anUnknownCameraIdIsCheckedThroughTheSameHashingAsAKnownOne)
        assertInstanceOf(BadCredentialsException.class, failure(auth.authenticate("cam-404", "x")));
        assertInstanceOf(BadCredentialsException.class, auth.authenticate(null, null).cause());
    }
}
