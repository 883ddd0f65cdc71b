package org.platewarden.gateway.mqtt;

import io.vertx.mqtt.MqttEndpoint;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** The camera id a verified client certificate names (its subject CN), if the connection has one. */
final class ClientCertificates {
    private ClientCertificates() {
    }

    static String cameraId(MqttEndpoint endpoint) {
        if (!endpoint.isSsl()) return null;
        SSLSession session = endpoint.sslSession();
        if (session == null) return null;
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) return null;
            return commonName(leaf.getSubjectX500Principal().getName());
        } catch (SSLPeerUnverifiedException noClientCertificate) {
            return null;
        }
    }

    static String commonName(String distinguishedName) {
        try {
            for (Rdn rdn : new LdapName(distinguishedName).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) return rdn.getValue().toString();
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
