package org.platewarden.core.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a reload changes in the credentials: counts for the log, the answer and the audit record —
 * never a secret, a hash or a token — and the cameras whose open connections must end.
 *
 * <p>A camera is <em>re-keyed</em> when its {@code secret_hash} or {@code previous_secret_hash}
 * changed, <em>moved</em> when its agency did (its reads would otherwise go on being stored under
 * the old one); a static token is known by its {@code token_sha256}, and <em>changed</em> when the
 * same token now has another user, agency or roles; an agency is changed when any of its fields is.
 */
public record CredentialChanges(
        Set<String> camerasAdded,
        Set<String> camerasRemoved,
        Set<String> camerasRekeyed,
        Set<String> camerasMoved,
        int tokensAdded,
        int tokensRemoved,
        int tokensChanged,
        Set<String> agenciesAdded,
        Set<String> agenciesRemoved,
        Set<String> agenciesChanged,
        boolean jwtChanged) {

    public static CredentialChanges between(Credentials before, Credentials after) {
        Map<String, Camera> oldCameras = byKey(before.cameras(), Camera::id);
        Map<String, Camera> newCameras = byKey(after.cameras(), Camera::id);
        Map<String, StaticToken> oldTokens = byKey(before.tokens(), StaticToken::tokenSha256);
        Map<String, StaticToken> newTokens = byKey(after.tokens(), StaticToken::tokenSha256);
        Map<String, Agency> oldAgencies = byKey(before.agencies(), Agency::id);
        Map<String, Agency> newAgencies = byKey(after.agencies(), Agency::id);
        Set<String> rekeyed = new TreeSet<>();
        Set<String> moved = new TreeSet<>();
        oldCameras.forEach((id, was) -> {
            Camera now = newCameras.get(id);
            if (now == null) return;
            if (!Objects.equals(was.secretHash(), now.secretHash()) || !Objects.equals(was.previousSecretHash(), now.previousSecretHash())) {
                rekeyed.add(id);
            }
            if (!Objects.equals(was.agency(), now.agency())) moved.add(id);
        });
        int tokensChanged = (int) oldTokens.entrySet().stream()
                .filter(e -> newTokens.containsKey(e.getKey()) && !e.getValue().equals(newTokens.get(e.getKey()))).count();
        Set<String> agenciesChanged = oldAgencies.keySet().stream()
                .filter(id -> newAgencies.containsKey(id) && !oldAgencies.get(id).equals(newAgencies.get(id)))
                .collect(Collectors.toCollection(TreeSet::new));
        return new CredentialChanges(only(newCameras.keySet(), oldCameras.keySet()), only(oldCameras.keySet(), newCameras.keySet()),
                rekeyed, moved,
                only(newTokens.keySet(), oldTokens.keySet()).size(), only(oldTokens.keySet(), newTokens.keySet()).size(), tokensChanged,
                only(newAgencies.keySet(), oldAgencies.keySet()), only(oldAgencies.keySet(), newAgencies.keySet()), agenciesChanged,
                !Objects.equals(before.jwt(), after.jwt()));
    }

    public CredentialChanges {
        camerasAdded = Set.copyOf(camerasAdded);
        camerasRemoved = Set.copyOf(camerasRemoved);
        camerasRekeyed = Set.copyOf(camerasRekeyed);
        camerasMoved = Set.copyOf(camerasMoved);
        agenciesAdded = Set.copyOf(agenciesAdded);
        agenciesRemoved = Set.copyOf(agenciesRemoved);
        agenciesChanged = Set.copyOf(agenciesChanged);
    }

    /** Whether the reload changes no credential at all. */
    public boolean none() {
        return camerasAdded.isEmpty() && camerasRemoved.isEmpty() && camerasRekeyed.isEmpty() && camerasMoved.isEmpty()
                && tokensAdded == 0 && tokensRemoved == 0 && tokensChanged == 0
                && agenciesAdded.isEmpty() && agenciesRemoved.isEmpty() && agenciesChanged.isEmpty() && !jwtChanged;
    }

    /**
     * The cameras whose open connections end: removed, re-keyed or moved. A connection authenticated
     * with a secret that is no longer configured must not go on publishing, nor one whose reads would
     * be stored under an agency the camera no longer belongs to.
     */
    public Set<String> camerasToDisconnect() {
        Set<String> ids = new TreeSet<>(camerasRemoved);
        ids.addAll(camerasRekeyed);
        ids.addAll(camerasMoved);
        return ids;
    }

    /** The counts, in a fixed order, as the answer and the log give them (no id of a token: only its count). */
    public Map<String, Integer> counts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("cameras_added", camerasAdded.size());
        counts.put("cameras_removed", camerasRemoved.size());
        counts.put("cameras_rekeyed", camerasRekeyed.size());
        counts.put("cameras_moved", camerasMoved.size());
        counts.put("tokens_added", tokensAdded);
        counts.put("tokens_removed", tokensRemoved);
        counts.put("tokens_changed", tokensChanged);
        counts.put("agencies_added", agenciesAdded.size());
        counts.put("agencies_removed", agenciesRemoved.size());
        counts.put("agencies_changed", agenciesChanged.size());
        counts.put("jwt_changed", jwtChanged ? 1 : 0);
        return counts;
    }

    /** One line: "cameras: 1 added, 2 removed, 0 re-keyed, 0 moved; static tokens: …; agencies: …; jwt: unchanged". */
    public String summary() {
        return "cameras: " + camerasAdded.size() + " added, " + camerasRemoved.size() + " removed, " + camerasRekeyed.size() + " re-keyed, "
                + camerasMoved.size() + " moved to another agency; static tokens: " + tokensAdded + " added, " + tokensRemoved + " removed, "
                + tokensChanged + " changed; agencies: " + agenciesAdded.size() + " added, " + agenciesRemoved.size() + " removed, "
                + agenciesChanged.size() + " changed; jwt: " + (jwtChanged ? "changed" : "unchanged");
    }

    private static <T> Map<String, T> byKey(Iterable<T> items, Function<T, String> key) {
        Map<String, T> map = new LinkedHashMap<>();
        for (T item : items) map.putIfAbsent(key.apply(item), item);
        return map;
    }

    private static Set<String> only(Set<String> in, Set<String> notIn) {
        Set<String> result = new TreeSet<>(in);
        result.removeAll(notIn);
        return result;
    }
}
