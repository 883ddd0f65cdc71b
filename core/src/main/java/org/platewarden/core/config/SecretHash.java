package org.platewarden.core.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Camera secret hashing: PBKDF2-HMAC-SHA256, stored as {@code pbkdf2-sha256$iterations$salt$hash}
 * (base64). Deliberately slow: callers must run {@link #verify} on a worker pool, never on an
 * event loop.
 */
public final class SecretHash {
    public static final int DEFAULT_ITERATIONS = 100_000;
    private static final String PREFIX = "pbkdf2-sha256";

    private SecretHash() {
    }

    public static String hash(String secret) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return hash(secret, salt, DEFAULT_ITERATIONS);
    }

    static String hash(String secret, byte[] salt, int iterations) {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(derive(secret, salt, iterations));
    }

    public static boolean isWellFormed(String stored) {
        String[] parts = stored.split("\\$");
        return parts.length == 4 && parts[0].equals(PREFIX) && parts[1].matches("[0-9]{4,9}");
    }

    /** Constant-time comparison of the derived key. */
    public static boolean verify(String secret, String stored) {
        if (secret == null || stored == null || !isWellFormed(stored)) return false;
        String[] parts = stored.split("\\$");
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] expected = b64.decode(parts[3]);
        byte[] actual = derive(secret, b64.decode(parts[2]), Integer.parseInt(parts[1]));
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }

    /** Hex SHA-256, used for static API tokens (high-entropy, so a fast hash is enough). */
    public static String sha256Hex(String value) {
        try {
            // HexFormat, not String.format per byte: the gateway hashes a camera's secret on every
            // HTTP request to look up its verification cache (JFR, thirteenth session)
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints a hash for a secret: used by ops to add a camera ({@code ./platewarden hash-secret}). */
    public static void main(String[] args) {
        for (String a : args) System.out.println(a + " " + hash(a));
    }
}
