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
import java.util.List;
import org.platewarden.core.config.Camera;
import org.platewarden.core.config.Credentials;
import org.platewarden.core.config.LiveCredentials;
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
 *
 * <p>The registry is the credentials in force ({@link LiveCredentials}): after a reload, the next
 * authentication uses the new cameras, and a verification under way when a reload removed or
 * re-keyed its camera fails rather than admit a secret no longer configured.
 */
public final class CameraAuthenticator {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CameraAuthenticator.class);
    static final int CACHE_MAX_ENTRIES = 10_000;

    private final LiveCredentials credentials;
    private final WorkerExecutor workers;
    private final int maxInFlight;
    private final Duration cacheTtl;
    private final LongSupplier nanoClock;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** the registry of the credentials in force, rebuilt when a reload replaced them ({@link #registry()}) */
    private volatile Registry registry;
    /** PBKDF2 computations run, for tests: an unknown camera's check must cost one too. */
    private final java.util.concurrent.atomic.AtomicLong hashesComputed = new java.util.concurrent.atomic.AtomicLong();

    /** A fixed registry (tests). */
    public CameraAuthenticator(Iterable<Camera> cameras, WorkerExecutor workers, int maxInFlight, Duration cacheTtl, LongSupplier nanoClock) {
        this(fixed(cameras), workers, maxInFlight, cacheTtl, nanoClock);
    }

    /** The cameras of the credentials in force, whatever reloads replace them. */
    public CameraAuthenticator(LiveCredentials credentials, WorkerExecutor workers, int maxInFlight, Duration cacheTtl, LongSupplier nanoClock) {
        this.credentials = credentials;
        this.workers = workers;
        this.maxInFlight = maxInFlight;
        this.cacheTtl = cacheTtl;
        this.nanoClock = nanoClock;
        this.registry = new Registry(credentials.current(), Map.of());
    }

    private static LiveCredentials fixed(Iterable<Camera> cameras) {
        List<Camera> list = new java.util.ArrayList<>();
        cameras.forEach(list::add);
        return new LiveCredentials(Credentials.of(List.of(), list, List.of(), null));
    }

    /**
     * The cameras of one set of credentials, with the cache of secrets verified against them. When a
     * reload replaces the credentials the cache is carried over only for cameras whose secrets and
     * agency did not change: a secret verified against a hash no longer configured must be checked
     * again (and fail), while an unchanged camera does not pay a PBKDF2 again for it.
     */
    private final class Registry {
        final Credentials source;
        final Map<String, Long> verifiedUntil = new ConcurrentHashMap<>();
        /** What an unknown camera id's secret is checked against: never matches, costs what a real one does. */
        final Camera unknownCamera;

        Registry(Credentials source, Map<String, Long> carried) {
            this.source = source;
            this.unknownCamera = new Camera("", "", dummyHash(source.cameras()), null);
            this.verifiedUntil.putAll(carried);
        }

        /** This registry's successor for {@code next}, with the cache entries of unchanged cameras. */
        Registry next(Credentials next) {
            Map<String, Long> carried = new java.util.HashMap<>();
            verifiedUntil.forEach((key, until) -> {
                String id = key.substring(0, key.lastIndexOf(':'));
                Camera was = source.camera(id).orElse(null);
                if (was != null && sameAccess(was, next.camera(id).orElse(null))) carried.put(key, until);
            });
            return new Registry(next, carried);
        }
    }

    /** Whether {@code now} is {@code was} as far as authentication goes: the same secrets and agency. */
    private static boolean sameAccess(Camera was, Camera now) {
        return now != null && java.util.Objects.equals(was.agency(), now.agency()) && java.util.Objects.equals(was.secretHash(), now.secretHash())
                && java.util.Objects.equals(was.previousSecretHash(), now.previousSecretHash());
    }

    /** The registry of the credentials in force: one volatile read, and a rebuild once after each reload. */
    private Registry registry() {
        Registry r = registry;
        Credentials now = credentials.current();
        if (r.source == now) return r;
        Registry next = r.next(now);
        registry = next;
        return next;
    }

    /**
     * Whether {@code camera}, authenticated earlier, still has the access it was authenticated with:
     * false once a reload removed it or changed its secrets or agency (its connection must end).
     */
    public boolean stillAuthorized(Camera camera) {
        return sameAccess(camera, credentials.current().camera(camera.id()).orElse(null));
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
        Registry reg = registry();
        Camera known = reg.source.camera(cameraId).orElse(null);
        // an unknown id is verified too (and never matches), so its 401 takes as long as a known one's
        Camera camera = known != null ? known : reg.unknownCamera;
        String key = cameraId + ":" + SecretHash.sha256Hex(secret);
        Long until = reg.verifiedUntil.get(key);
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
                    // a reload removed or re-keyed the camera while its secret was being checked: the
                    // secret matched a hash no longer configured
                    if (!stillAuthorized(camera)) return Future.failedFuture(new BadCredentialsException());
                    // once per camera per cache period at most: the list ops need before removing the previous secret
                    if (match == Match.PREVIOUS) {
                        LOG.info("camera {} authenticated with its previous secret (previous_secret_hash); give it the new one before removing that",
                                cameraId);
                    }
                    remember(reg.verifiedUntil, key);
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
        Camera camera = registry().source.camera(certificateCameraId).orElse(null);
        if (camera == null || (username != null && !username.isEmpty() && !username.equals(certificateCameraId))) {
            return Future.failedFuture(new BadCredentialsException());
        }
        return Future.succeededFuture(camera);
    }

    public int verificationsInFlight() {
        return inFlight.get();
    }

    private void remember(Map<String, Long> verifiedUntil, String key) {
        long now = nanoClock.getAsLong();
        if (verifiedUntil.size() >= CACHE_MAX_ENTRIES) {
            verifiedUntil.values().removeIf(u -> u - now <= 0);
            if (verifiedUntil.size() >= CACHE_MAX_ENTRIES) verifiedUntil.clear(); // bounded memory beats hit rate
        }
        verifiedUntil.put(key, now + cacheTtl.toNanos());
    }
}
