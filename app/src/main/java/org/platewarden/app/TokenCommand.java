package org.platewarden.app;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;
import java.util.concurrent.Callable;
import org.platewarden.core.config.PlatewardenConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Mints an HS256 JWT for the search API with the config's {@code jwt.secret} — for test set-ups and
 * for agencies without their own identity provider. RS256 tokens come from the agency's IdP.
 */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Mint an HS256 JWT (needs jwt.algorithm=HS256 and jwt.secret in the config).")
final class TokenCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--user", required = true)
    String user;

    @Option(names = "--agency", required = true)
    String agency;

    @Option(names = "--roles", required = true, split = ",", description = "investigator, supervisor, auditor, ops")
    List<String> roles;

    @Option(names = "--ttl-minutes", defaultValue = "60")
    int ttlMinutes;

    @Override
    public Integer call() {
        PlatewardenConfig config = configOptions.load();
        if (config.jwt() == null || !"HS256".equals(config.jwt().algorithm())) {
            System.err.println("the config has no HS256 jwt section (jwt.algorithm + jwt.secret); cannot mint tokens");
            return 2;
        }
        if (config.agency(agency).isEmpty()) {
            System.err.println("unknown agency " + agency);
            return 2;
        }
        Vertx vertx = Vertx.vertx();
        try {
            JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
                    .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwt().secret())));
            JWTOptions options = new JWTOptions().setAlgorithm("HS256").setExpiresInMinutes(ttlMinutes).setSubject(user);
            if (config.jwt().issuer() != null) options.setIssuer(config.jwt().issuer());
            System.out.println(auth.generateToken(new JsonObject().put("agency", agency).put("roles", new JsonArray(roles)), options));
            return 0;
        } finally {
            vertx.close();
        }
    }
}
