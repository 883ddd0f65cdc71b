package org.platewarden.core.config;

import java.io.ByteArrayInputStream;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The RS256 key of {@code jwt.public_key_pem}, checked as the search API will read it. Unchecked, a
 * key that is no PEM passed validation and then failed the search API's start again and again
 * ("PEM contains not enough lines") while the banner blamed Elasticsearch, and a reload to it would
 * have been applied and failed every request (probe-sec).
 */
final class RsaPublicKeyPem {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
    /** the other labels the verifier (Vert.x's JWK) reads; their bodies are only checked to be base64 */
    private static final Set<String> OTHER_LABELS = Set.of("RSA PUBLIC KEY", "PUBLIC RSA KEY");

    private RsaPublicKeyPem() {
    }

    /** What is wrong with {@code pem} as the RS256 key, said after the key's name; null when it serves. */
    static String problem(String pem) {
        Matcher m = PEM.matcher(pem.strip());
        if (!m.matches()) {
            return "is not one PEM block (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----, e.g. from openssl pkey -pubout),"
                    + " with the line breaks kept (\\n in JSON)";
        }
        String label = m.group(1);
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            return "is not base64 between its BEGIN and END lines";
        }
        try {
            switch (label) {
                case "PUBLIC KEY" -> KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
                case "CERTIFICATE" -> {
                    String algorithm = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der))
                            .getPublicKey().getAlgorithm();
                    if (!algorithm.equals("RSA")) return "is a certificate of a " + algorithm + " key, not an RSA one (RS256)";
                }
                default -> {
                    if (!OTHER_LABELS.contains(label)) {
                        return "is a " + label + ", not an RSA public key (-----BEGIN PUBLIC KEY-----): the verifier holds only the public key";
                    }
                }
            }
        } catch (Exception e) {
            return "is not an RSA public key (RS256): " + e.getMessage();
        }
        return null;
    }
}
