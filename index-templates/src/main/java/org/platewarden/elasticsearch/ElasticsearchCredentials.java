package org.platewarden.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How Platewarden proves itself to a cluster with security on (Elasticsearch 8's default): a user
 * and password ({@code ES_USERNAME}, {@code ES_PASSWORD}) or an API key ({@code ES_API_KEY}, the
 * base64 {@code id:api_key} Elasticsearch returns as {@code encoded}), and for HTTPS a CA to trust
 * ({@code ES_CA_CERT}: a PEM file such as the {@code http_ca.crt} Elasticsearch generates; without it
 * the JVM's trust store). Taken from the environment, never from the URL or the configuration file:
 * the URL is written to {@code run/node.json} and logged, and a config file is often kept in version
 * control.
 */
public record ElasticsearchCredentials(String username, String password, String apiKey, Path caCert) {
    public static final ElasticsearchCredentials NONE = new ElasticsearchCredentials(null, null, null, null);

    public ElasticsearchCredentials {
        if (username != null && password == null) throw new IllegalArgumentException("ES_USERNAME is set without ES_PASSWORD");
        if (password != null && username == null) throw new IllegalArgumentException("ES_PASSWORD is set without ES_USERNAME");
        if (username != null && apiKey != null) {
            throw new IllegalArgumentException("ES_USERNAME and ES_API_KEY are both set: use one way to authenticate");
        }
        if (caCert != null && !Files.isReadable(caCert)) throw new IllegalArgumentException("ES_CA_CERT " + caCert + " is not a readable file");
    }

    /** From {@code ES_USERNAME}, {@code ES_PASSWORD}, {@code ES_API_KEY}, {@code ES_CA_CERT}; blank counts as unset. */
    public static ElasticsearchCredentials fromEnvironment(UnaryOperator<String> env) {
        String ca = value(env, "ES_CA_CERT");
        return new ElasticsearchCredentials(value(env, "ES_USERNAME"), value(env, "ES_PASSWORD"), value(env, "ES_API_KEY"),
                ca == null ? null : Path.of(ca));
    }

    /** The {@code Authorization} header value, or null without credentials. */
    public String authorization() {
        if (apiKey != null) return "ApiKey " + apiKey;
        if (username != null) {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** An SSL context trusting {@link #caCert} (every certificate in the file), or null when none is set. */
    public SSLContext sslContext() {
        if (caCert == null) return null;
        try (InputStream in = Files.newInputStream(caCert)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) trust.setCertificateEntry("ca-" + i++, c);
            if (i == 0) throw new IllegalArgumentException("ES_CA_CERT " + caCert + " holds no certificate");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("ES_CA_CERT " + caCert + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** Whether a user or API key is set (for messages). */
    public boolean authenticates() {
        return username != null || apiKey != null;
    }

    private static String value(UnaryOperator<String> env, String name) {
        String v = env.apply(name);
        return v == null || v.isBlank() ? null : v;
    }

    @Override
    public String toString() {
        // never the secrets
        return "ElasticsearchCredentials[" + (apiKey != null ? "api key" : username != null ? "user " + username : "none")
                + (caCert != null ? ", CA " + caCert : "") + "]";
    }
}
