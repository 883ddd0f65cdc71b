package org.platewarden.core.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The part of the configuration a running node can take anew without a restart: who may connect
 * and what they may see — the agencies, the cameras (their secrets and agency), the static tokens
 * and the JWT verification keys. Immutable: a reload replaces the whole snapshot at once
 * ({@link LiveCredentials}), so a reader on an event loop sees either the old one or the new one,
 * never half of each. Lookups by id are precomputed: they run on every request.
 */
public final class Credentials {
    private final List<Agency> agencies;
    private final List<Camera> cameras;
    private final List<StaticToken> tokens;
    private final JwtConfig jwt;
    private final Map<String, Agency> agencyById = new LinkedHashMap<>();
    private final Map<String, Camera> cameraById = new LinkedHashMap<>();

    private Credentials(List<Agency> agencies, List<Camera> cameras, List<StaticToken> tokens, JwtConfig jwt) {
        this.agencies = List.copyOf(agencies);
        this.cameras = List.copyOf(cameras);
        this.tokens = List.copyOf(tokens);
        this.jwt = jwt;
        // the first entry wins, as PlatewardenConfig.agency and camera find it (validation refuses duplicates anyway)
        for (Agency a : this.agencies) agencyById.putIfAbsent(a.id(), a);
        for (Camera c : this.cameras) cameraById.putIfAbsent(c.id(), c);
    }

    /** The credentials of a (validated) configuration. */
    public static Credentials of(PlatewardenConfig config) {
        return of(config.agencies(), config.cameras(), config.tokens(), config.jwt());
    }

    /** @param jwt null: JWTs are off */
    public static Credentials of(List<Agency> agencies, List<Camera> cameras, List<StaticToken> tokens, JwtConfig jwt) {
        return new Credentials(agencies, cameras, tokens, jwt);
    }

    public List<Agency> agencies() {
        return agencies;
    }

    public List<Camera> cameras() {
        return cameras;
    }

    public List<StaticToken> tokens() {
        return tokens;
    }

    /** null: JWTs are off. */
    public JwtConfig jwt() {
        return jwt;
    }

    public Optional<Agency> agency(String id) {
        return Optional.ofNullable(id == null ? null : agencyById.get(id));
    }

    public Optional<Camera> camera(String id) {
        return Optional.ofNullable(id == null ? null : cameraById.get(id));
    }

    /** Whether {@code agencyId}'s auditors read every agency's records ({@code agencies[].oversight}). */
    public boolean oversees(String agencyId) {
        return agency(agencyId).map(Agency::oversight).orElse(false);
    }

    /** As {@link PlatewardenConfig#isStaticTokenUser}, against these tokens. */
    public boolean isStaticTokenUser(String user) {
        String folded = PlatewardenConfig.foldUserName(user);
        return tokens.stream().anyMatch(t -> PlatewardenConfig.foldUserName(t.user()).equals(folded));
    }
}
