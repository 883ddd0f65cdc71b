package org.platewarden.search.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.platewarden.core.config.Credentials;
import org.platewarden.core.config.JwtConfig;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.config.SecretHash;
import org.platewarden.core.config.StaticToken;

/**
 * Resolves {@code Authorization: Bearer <token>} to a {@link Principal}. A token is first compared
 * with the configured static tokens (SHA-256 of the presented token against each
 * {@code token_sha256}, constant time, every entry compared so timing does not reveal which one
 * matched); otherwise, when JWT is configured, it is verified as a JWT (HS256 or RS256; signature,
 * {@code exp} — required, 5 s leeway, at most {@code jwt.max_lifetime_seconds} ahead — and {@code iss}
 * and {@code aud} when configured: with {@code jwt.audience} set, {@code aud} — a string or an array of
 * strings — must name one of its values, else the token was minted for another service; without it
 * {@code aud} is not checked; {@link JwtPrecheck} for what Vert.x leaves unchecked). Claims: {@code sub} = user
 * (not reserved, no look-alike of a reserved name or a static token's user),
 * {@code agency} (must be a configured agency), {@code roles} (array; unknown roles are ignored).
 * Cheap enough for the event loop: one SHA-256 or one signature check, no password hashing.
 *
 * <p>The tokens, keys and agencies are those in force when the request arrives ({@link LiveCredentials}):
 * after a reload a removed token is refused at once, and a request authenticated before it keeps the
 * principal it was given.
 */
public final class Authenticator {
    public static final String STATIC = "static_token";
    public static final String JWT = "jwt";
    private static final int LEEWAY_SECONDS = 5;

    private final Vertx vertx;
    private final LiveCredentials credentials;
    /** the keys of the credentials in force, rebuilt once after each reload ({@link #keys()}) */
    private volatile Keys keys;

    /** With the configuration's tokens and keys, never reloaded (tests). */
    public Authenticator(Vertx vertx, PlatewardenConfig config) {
        this(vertx, LiveCredentials.of(config));
    }

    /** With the credentials in force: a request is checked against those in force when it arrives. */
    public Authenticator(Vertx vertx, LiveCredentials credentials) {
        this.vertx = vertx;
        this.credentials = credentials;
        this.keys = new Keys(vertx, credentials.current());
    }

    /** What one set of credentials checks a token with: the static tokens' hashes, the JWT verifier. */
    private static final class Keys {
        final Credentials source;
        final List<StaticToken> tokens;
        final List<byte[]> tokenHashes;
        final JWTAuth jwt;

        Keys(Vertx vertx, Credentials source) {
            this.source = source;
            this.tokens = source.tokens();
            this.tokenHashes = tokens.stream().map(t -> HexFormat.of().parseHex(t.tokenSha256())).toList();
            this.jwt = jwtAuth(vertx, source.jwt());
        }
    }

    /**
     * The keys of the credentials in force. After a reload the first request builds the new ones (a
     * parse of the configured key, no hashing); two requests at once may both build them, alike.
     */
    private Keys keys() {
        Keys k = keys;
        Credentials now = credentials.current();
        if (k.source == now) return k;
        Keys next = new Keys(vertx, now);
        keys = next;
        return next;
    }

    private static JWTAuth jwtAuth(Vertx vertx, JwtConfig jwt) {
        if (jwt == null || jwt.algorithm() == null) return null;
        PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm(jwt.algorithm())
                .setBuffer(jwt.algorithm().equals("HS256") ? jwt.secret() : jwt.publicKeyPem());
        JWTOptions options = new JWTOptions().setLeeway(LEEWAY_SECONDS).setIgnoreExpiration(false);
        if (jwt.issuer() != null && !jwt.issuer().isBlank()) options.setIssuer(jwt.issuer());
        // Vert.x refuses a token whose aud (one string, or an array) names none of these, or that has none
        if (jwt.checksAudience()) options.setAudience(jwt.audience());
        return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key).setJWTOptions(options));
    }

    /** The principal, or a failed future with {@link AuthenticationException}. */
    public Future<Principal> authenticate(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            return Future.failedFuture(new AuthenticationException("missing bearer token"));
        }
        String header = authorizationHeader.trim();
        if (header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Future.failedFuture(new AuthenticationException("authorization scheme must be Bearer"));
        }
        String token = header.substring(7).trim();
        if (token.isEmpty() || token.length() > 8192) return Future.failedFuture(new AuthenticationException("invalid bearer token"));
        // one snapshot for the whole check: a reload under way changes nothing of it
        Keys k = keys();
        StaticToken match = matchStatic(k, token);
        if (match != null) {
            return Future.succeededFuture(new Principal(match.user(), match.agency(), Set.copyOf(match.roles()), STATIC));
        }
        if (k.jwt == null || token.chars().filter(c -> c == '.').count() != 2) {
            return Future.failedFuture(new AuthenticationException("invalid bearer token"));
        }
        JwtConfig jwtConfig = k.source.jwt();
        String malformed = JwtPrecheck.problem(token, java.time.Instant.now(), LEEWAY_SECONDS, jwtConfig.maxLifetimeSeconds(),
                jwtConfig.checksAudience(), jwtConfig.algorithm());
        if (malformed != null) return Future.failedFuture(new AuthenticationException("invalid token: " + malformed));
        Future<User> verified;
        try {
            verified = k.jwt.authenticate(new TokenCredentials(token));
        } catch (RuntimeException e) {
            // a failure thrown instead of returned would escape as a 500 that no audit record describes
            verified = Future.failedFuture(e);
        }
        return verified
                .recover(e -> Future.failedFuture(new AuthenticationException("invalid token: " + e.getMessage())))
                .compose(user -> fromClaims(k.source, user));
    }

    private static StaticToken matchStatic(Keys k, String token) {
        byte[] presented = HexFormat.of().parseHex(SecretHash.sha256Hex(token));
        StaticToken match = null;
        for (int i = 0; i < k.tokens.size(); i++) {
            if (MessageDigest.isEqual(k.tokenHashes.get(i), presented) && match == null) match = k.tokens.get(i);
        }
        return match;
    }

    private static Future<Principal> fromClaims(Credentials config, User user) {
        JsonObject claims = user.attributes() != null && user.attributes().getJsonObject("accessToken") != null
                ? user.attributes().getJsonObject("accessToken") : user.principal();
        if (!(claims.getValue("exp") instanceof Number)) return Future.failedFuture(new AuthenticationException("token has no exp claim"));
        String sub = claims.getValue("sub") instanceof String s ? s : null;
        String agency = claims.getValue("agency") instanceof String a ? a : null;
        if (sub == null || sub.isBlank()) return Future.failedFuture(new AuthenticationException("token has no sub claim"));
        if (sub.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
            return Future.failedFuture(new AuthenticationException("token's sub holds control or invisible characters"));
        }
        if (PlatewardenConfig.isReservedUser(sub)) {
            return Future.failedFuture(new AuthenticationException("token's sub '" + sub + "' is reserved for records Platewarden writes itself"));
        }
        if (config.isStaticTokenUser(sub)) {
            // the trail would show a configured token's user doing what this token did
            return Future.failedFuture(new AuthenticationException("token's sub '" + sub + "' is the user of a configured static token"));
        }
        if (agency == null || config.agency(agency).isEmpty()) return Future.failedFuture(new AuthenticationException("token names no known agency"));
        Set<String> roles = new LinkedHashSet<>();
        if (claims.getValue("roles") instanceof JsonArray array) {
            for (Object role : array) {
                if (role instanceof String r && PlatewardenConfig.ROLES.contains(r)) roles.add(r);
            }
        }
        return Future.succeededFuture(new Principal(sub, agency, roles, JWT));
    }

}
