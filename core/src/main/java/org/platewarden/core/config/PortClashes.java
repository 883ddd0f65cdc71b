package org.platewarden.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds two configured listeners on one port. Vert.x does not refuse a second server on a host and
 * port it already serves: it shares the port between them and hands each new connection to one or
 * the other in turn, so HTTP requests reach the MQTT server (or the search API the ingest server)
 * and get garbage or 404s. Port 0 (any free port, each listener its own) and an MQTT TLS port of 0
 * (no TLS listener) never clash; listeners on two different specific addresses do not either.
 */
final class PortClashes {
    private static final Set<String> ANY_ADDRESS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");

    private record Listener(String setting, String host, int port) {
    }

    private PortClashes() {
    }

    static List<String> find(GatewayConfig gateway, SearchConfig search) {
        List<Listener> listeners = new ArrayList<>();
        listeners.add(new Listener("gateway.http_port", gateway.host(), gateway.httpPort()));
        listeners.add(new Listener("gateway.mqtt_port", gateway.host(), gateway.mqttPort()));
        listeners.add(new Listener("gateway.mqtt_tls_port", gateway.host(), gateway.mqttTlsPort()));
        listeners.add(new Listener("search.port", search.host(), search.port()));
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++) {
            for (int j = i + 1; j < listeners.size(); j++) {
                Listener a = listeners.get(i);
                Listener b = listeners.get(j);
                if (a.port() != 0 && a.port() == b.port() && sameAddress(a.host(), b.host())) {
                    problems.add(a.setting() + " and " + b.setting() + " are both " + a.port()
                            + ": each server needs its own port (sharing one, they would take its connections in turn)");
                }
            }
        }
        return problems;
    }

    private static boolean sameAddress(String a, String b) {
        return a == null || b == null || a.equals(b) || ANY_ADDRESS.contains(a) || ANY_ADDRESS.contains(b);
    }
}
