package org.platewarden.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The demo's camera secrets and tokens are public (README, "Demo credentials"; banner; {@code deploy/config.example.json}).
 * A config that still holds one of them — a copied example, a demo file reused — gives anybody who
 * read the README a camera or an investigator's access. Found by their stored hashes, whatever the
 * config's {@code demo} flag or the command-line flags say.
 */
public final class DemoCredentials {
    private static final Set<String> CAMERA_HASHES = new HashSet<>();
    /** the demo's camera ids: their public secret is "demo-" + id, however it is hashed */
    private static final Set<String> CAMERA_IDS = new HashSet<>();
    private static final Set<String> TOKEN_HASHES = new HashSet<>();

    static {
        try (InputStream in = DemoCredentials.class.getResourceAsStream(PlatewardenConfig.DEMO_RESOURCE)) {
            JsonNode demo = new ObjectMapper().readTree(in);
            demo.path("cameras").forEach(c -> {
                CAMERA_HASHES.add(c.path("secret_hash").asText());
                CAMERA_IDS.add(c.path("id").asText());
            });
            demo.path("tokens").forEach(t -> TOKEN_HASHES.add(t.path("token_sha256").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PlatewardenConfig.DEMO_RESOURCE, e);
        }
    }

    private DemoCredentials() {
    }

    /**
     * A demo camera's public secret hashed anew (another salt, so another hash string): one PBKDF2
     * per demo camera id in the config, at most three, at start-up.
     */
    private static boolean demoSecretRehashed(String cameraId, String hash) {
        return CAMERA_IDS.contains(cameraId) && SecretHash.isWellFormed(hash) && SecretHash.verify("demo-" + cameraId, hash);
    }

    /** The config's cameras and tokens that use a public demo secret, e.g. "camera cam-001", "token of dpd.investigator". */
    public static List<String> inUse(PlatewardenConfig config) {
        List<String> found = new ArrayList<>();
        for (Camera c : config.cameras()) {
            if (c.secretHash() != null && (CAMERA_HASHES.contains(c.secretHash()) || demoSecretRehashed(c.id(), c.secretHash()))) {
                found.add("camera " + c.id());
            } else if (c.previousSecretHash() != null
                    && (CAMERA_HASHES.contains(c.previousSecretHash()) || demoSecretRehashed(c.id(), c.previousSecretHash()))) {
                found.add("camera " + c.id() + " (previous secret)");
            }
        }
        for (StaticToken t : config.tokens()) {
            if (t.tokenSha256() != null && TOKEN_HASHES.contains(t.tokenSha256().toLowerCase(java.util.Locale.ROOT))) {
                found.add("token of " + t.user());
            }
        }
        return found;
    }
}
