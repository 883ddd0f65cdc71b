package org.platewarden.gateway.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.mqtt.MqttEndpoint;

/**
 * Refuses a CONNECT that a gateway limit turns away before its secret is checked: MQTT 5 gets the
 * limit's reason code with a reason string; MQTT 3.1.1, which has no code for a limit, return code 3
 * ({@code SERVER_UNAVAILABLE}).
 */
final class ConnectRefusal {
    private ConnectRefusal() {
    }

    static void reject(MqttEndpoint endpoint, MqttConnectReturnCode v5Code, String reason) {
        if (endpoint.protocolVersion() == 5) {
            MqttProperties p = new MqttProperties();
            p.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(), reason));
            endpoint.reject(v5Code, p);
        } else {
            endpoint.reject(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
        }
    }
}
