package org.platewarden.app;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.platewarden.core.config.PlatewardenConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Mints an HS256 JWT for the search API with the config's {@code jwt.secret} — for test set-ups and
 * for agencies without their own identity provider — with the configured {@code jwt.issuer} as
 * {@code iss} and {@code jwt.audience} as {@code aud}, when set. RS256 tokens come from the agency's IdP.
 */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Mint an HS256 JWT (needs jwt.algorithm=HS256 and jwt.secret in the config).")
final class TokenCommand implements Callable<Integer> {
    /** Vert.x counts the expiry in seconds in an int. */
    static final int MAX_TTL_MINUTES = Integer.MAX_VALUE / 60;

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--user", required = true)
    String user;

    @Option(names = "--agency", required = true)
    String agency;

    @Option(names = "--roles", required = true, split = ",", description = "investigator, supervisor, auditor, ops")
    List<String> roles;

    @Option(names = "--ttl-minutes", defaultValue = "60", description = "Minutes until the token expires (default 60; at least 1).")
    int ttlMinutes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // the search API refuses a JWT without exp (Vert.x leaves exp out unless the ttl is positive) or
        // with a reserved sub, and it drops a role it does not know silently
        if (user.isBlank() || PlatewardenConfig.isReservedUser(user)) {
            throw new ParameterException(spec.commandLine(), "--user may not be blank, anonymous or platewarden:*, not '" + user + "'");
        }
        if (ttlMinutes < 1 || ttlMinutes > MAX_TTL_MINUTES) {
            throw new ParameterException(spec.commandLine(), "--ttl-minutes must be 1.." + MAX_TTL_MINUTES + ", not " + ttlMinutes);
        }
        for (String role : roles) {
            if (!PlatewardenConfig.ROLES.contains(role)) {
                throw new ParameterException(spec.commandLine(), "unknown role " + role + " (known: " + String.join(", ", new TreeSet<>(PlatewardenConfig.ROLES)) + ")");
            }
        }
        PlatewardenConfig config = configOptions.load();
        if (config.jwt() == null || !"HS256".equals(config.jwt().algorithm())) {
            // a valid configuration that mints no tokens (the demo's has no jwt section): not "invalid configuration"
            throw new ParameterException(spec.commandLine(), "the configuration has no HS256 jwt section (\"jwt\":{\"algorithm\":\"HS256\","
                    + "\"secret\":\"…\"}), so it mints no tokens" + (configOptions.file == null
                    ? "; the demo configuration has none: pass --config FILE with one (with --demo to keep the demo agencies)" : ""));
        }
        if (config.agency(agency).isEmpty()) throw new ParameterException(spec.commandLine(), "unknown agency " + agency);
        if (config.isStaticTokenUser(user)) {
            // the search API refuses such a JWT (the trail would show that token's user doing what this one did)
            throw new ParameterException(spec.commandLine(), "--user '" + user + "' is the user of a configured static token, which the"
                    + " search API refuses as a JWT's sub: choose another user name");
        }
        if (ttlMinutes * 60L > config.jwt().maxLifetimeSeconds()) {
            throw new ParameterException(spec.commandLine(), "--ttl-minutes " + ttlMinutes + " is longer than the server accepts (jwt.max_lifetime_seconds "
                    + config.jwt().maxLifetimeSeconds() + " = " + config.jwt().maxLifetimeSeconds() / 60 + " minutes)");
        }
        Vertx vertx = Vertx.vertx();
        try {
            JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
                    .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwt().secret())));
            JWTOptions options = new JWTOptions().setAlgorithm("HS256").setExpiresInMinutes(ttlMinutes).setSubject(user);
            if (config.jwt().issuer() != null) options.setIssuer(config.jwt().issuer());
            // the server refuses a token without the configured audience (one value: aud is that string; several: an array of them)
            if (config.jwt().checksAudience()) options.setAudience(config.jwt().audience());
            spec.commandLine().getOut().println(auth.generateToken(new JsonObject().put("agency", agency).put("roles", new JsonArray(roles)), options));
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            vertx.close();
        }
    }
}
