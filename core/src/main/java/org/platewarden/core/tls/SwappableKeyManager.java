package org.platewarden.core.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * A server's key manager whose certificate and key can be replaced while it serves: each new TLS
 * handshake asks it for the pair in force, one already established keeps its session. Given to a
 * listener through Vert.x's public {@code KeyCertOptions.wrap}, which works for the MQTT server too,
 * where Vert.x MQTT 5.1.1 has no {@code updateSSLOptions} (added upstream after 5.1.1, vertx-mqtt #297);
 * one swap here reaches every event loop's server instance at once.
 *
 * <p>The JDK (and Netty's OpenSSL engine, which also caches key material by alias) asks for an alias
 * first and for its chain and key after: each pair served gets aliases of its own ({@code g<n>:…}), so a
 * handshake that chose an alias before a swap still gets that alias's chain and key, never the key of
 * one pair with the chain of the other. The pair before the last swap is kept for such a handshake.
 */
public final class SwappableKeyManager extends X509ExtendedKeyManager {
    private record Generation(String prefix, X509KeyManager keys) {
    }

    private long generations;
    private volatile Generation current;
    private volatile Generation previous;

    public SwappableKeyManager(X509KeyManager keys) {
        serve(keys);
    }

    /** Serves these keys to every handshake from now on. */
    public synchronized void serve(X509KeyManager keys) {
        previous = current;
        current = new Generation("g" + (++generations) + ":", keys);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        Generation g = current;
        String alias = g.keys instanceof X509ExtendedKeyManager extended
                ? extended.chooseEngineServerAlias(keyType, issuers, engine)
                : g.keys.chooseServerAlias(keyType, issuers, null);
        return alias == null ? null : g.prefix + alias;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        Generation g = current;
        String alias = g.keys.chooseServerAlias(keyType, issuers, socket);
        return alias == null ? null : g.prefix + alias;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        Generation g = current;
        String[] aliases = g.keys.getServerAliases(keyType, issuers);
        if (aliases == null) return null;
        String[] prefixed = new String[aliases.length];
        for (int i = 0; i < aliases.length; i++) prefixed[i] = g.prefix + aliases[i];
        return prefixed;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Generation g = of(alias);
        return g == null ? null : g.keys.getCertificateChain(alias.substring(g.prefix.length()));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Generation g = of(alias);
        return g == null ? null : g.keys.getPrivateKey(alias.substring(g.prefix.length()));
    }

    /** The pair an alias was chosen from: the one in force, or the one before the last swap. */
    private Generation of(String alias) {
        if (alias == null) return null;
        Generation now = current;
        if (alias.startsWith(now.prefix)) return now;
        Generation before = previous;
        return before != null && alias.startsWith(before.prefix) ? before : null;
    }

    // a server's key manager: it presents no client certificate
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
