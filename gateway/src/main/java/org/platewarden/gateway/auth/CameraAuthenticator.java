package org.platewarden.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.platewarden.core.config.Camera;
import org.platewarden.core.config.SecretHash;
import org.platewarden.gateway.ingest.OverloadedException;

/**
 * Verifies camera id + secret against the registry. PBKDF2 is deliberately slow, so it runs on a
 * worker executor we own, with a hard cap on verifications in flight (running + queued): past the
 * cap the call fails at once with {@link OverloadedException} instead of queueing without bound
 * (the Strimzi bridge's "saturation becomes 503" rule). Successful verifications are remembered
 * for {@code cacheTtl}, keyed by camera id + SHA-256 of the presented secret, so a busy camera does
 * not pay a PBKDF2 per request; failures are never cached (a correct secret must work at once).
 * An unknown camera id runs the same PBKDF2 (against a dummy hash with the registry's iteration
 * count) on the same pool before its 401: answered at once, it told a camera id that exists from one
 * that does not by timing (1-18 ms against 25-190 ms).
 */
public final class CameraAuthenticator {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CameraAuthenticator.class);
    static final int CACHE_MAX_ENTRIES = 10_000;

    private final Map<String, Camera> cameras;
    private final WorkerExecutor workers;
    private final int maxInFlight;
    private final Duration cacheTtl;
    private final LongSupplier nanoClock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Long> verifiedUntil = new ConcurrentHashMap<>();
    /** What an unknown camera id's secret is checked against: never matches, costs what a real one does. */
    private final Camera unknownCamera;
    /** PBKDF2 computations run, for tests: an unknown camera's check must cost one too. */
    private final java.util.concurrent.atomic.AtomicLong hashesComputed = new java.util.concurrent.atomic.AtomicLong();

    public CameraAuthenticator(Iterable<Camera> cameras, WorkerExecutor workers, int maxInFlight, Duration cacheTtl, LongSupplier nanoClock) {
        this.cameras = java.util.stream.StreamSupport.stream(cameras.spliterator(), false)
                .collect(Collectors.toUnmodifiableMap(Camera::id, Function.identity()));
        this.workers = workers;
        this.maxInFlight = maxInFlight;
        this.cacheTtl = cacheTtl;
        this.nanoClock = nanoClock;
        this.unknownCamera = new Camera("", "", dummyHash(this.cameras.values()), null);
    }

    /**
     * A well-formed hash no secret matches (its key is zeros), with the iteration count most of the
     * registry's hashes have, so verifying against it takes as long as against a camera's.
     */
    private static String dummyHash(java.util.Collection<Camera> cameras) {
        String iterations = cameras.stream().map(c -> c.secretHash().split("\\$"))
                .filter(parts -> parts.length == 4).map(parts -> parts[1])
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                .entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse(Integer.toString(SecretHash.DEFAULT_ITERATIONS));
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder().withoutPadding();
        return "pbkdf2-sha256$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(new byte[32]);
    }

    /** Succeeds with the registered camera, or fails with {@link BadCredentialsException} / {@link OverloadedException}. */
    public Future<Camera> authenticate(String cameraId, String secret) {
        if (cameraId == null || secret == null) return Future.failedFuture(new BadCredentialsException());
        Camera known = cameras.get(cameraId);
        // an unknown id is verified too (and never matches), so its 401 takes as long as a known one's
        Camera camera = known != null ? known : unknownCamera;
        String key = cameraId + ":" + SecretHash.sha256Hex(secret);
        Long until = verifiedUntil.get(key);
        if (until != null && until - nanoClock.getAsLong() > 0) return Future.succeededFuture(camera);
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            return Future.failedFuture(new OverloadedException("camera authentication pool"));
        }
        return workers.executeBlocking(() -> matches(camera, secret), false)
                .map(match -> known == null ? Match.NONE : match)
                .andThen(ar -> inFlight.decrementAndGet())
                .compose(match -> {
                    if (match == Match.NONE) return Future.failedFuture(new BadCredentialsException());
                    // once per camera per cache period at most: the list ops need before removing the previous secret
                    if (match == Match.PREVIOUS) {
                        LOG.info("camera {} authenticated with its previous secret (previous_secret_hash); give it the new one before removing that",
                                cameraId);
                    }
                    remember(key);
                    return Future.succeededFuture(camera);
                });
    }

    private enum Match { CURRENT, PREVIOUS, NONE }

    /** Runs on the worker pool: one PBKDF2, two while a rotation keeps the previous secret and the current one did not match. */
    private Match matches(Camera camera, String secret) {
        hashesComputed.incrementAndGet();
        if (SecretHash.verify(secret, camera.secretHash())) return Match.CURRENT;
        if (camera.previousSecretHash() == null) return Match.NONE;
        hashesComputed.incrementAndGet();
        return SecretHash.verify(secret, camera.previousSecretHash()) ? Match.PREVIOUS : Match.NONE;
    }

    /** PBKDF2 computations run since start (tests). */
    public long hashesComputed() {
        return hashesComputed.get();
    }

    /**
     * A camera that presented a client certificate the TLS handshake verified against the configured
     * CA: the certificate's CN names the camera. A CONNECT username, when given, must be the same id.
     */
    public Future<Camera> byCertificate(String certificateCameraId, String username) {
        Camera camera = cameras.get(certificateCameraId);
        if (camera == null || (username != null && !username.isEmpty() && !username.equals(certificateCameraId))) {
            return Future.failedFuture(new BadCredentialsException());
        }
        return Future.succeededFuture(camera);
    }

    public int verificationsInFlight() {
        return inFlight.get();
    }

    private void remember(String key) {
        long now = nanoClock.getAsLong();
        if (verifiedUntil.size() >= CACHE_MAX_ENTRIES) {
            verifiedUntil.values().removeIf(u -> u - now <= 0);
            if (verifiedUntil.size() >= CACHE_MAX_ENTRIES) verifiedUntil.clear(); // bounded memory beats hit rate
        }
        verifiedUntil.put(key, now + cacheTtl.toNanos());
    }
}
