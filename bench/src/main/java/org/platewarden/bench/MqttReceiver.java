package org.platewarden.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.io.IOException;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Subscribes (QoS 1) to every camera topic of a plain MQTT broker and remembers the read ids it
 * receives, to prove that every read the broker acknowledged was actually delivered. Used only
 * on the Mosquitto side: Platewarden is not a pub/sub broker, its proof is the Elasticsearch check.
 */
public final class MqttReceiver {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Set<String> received = ConcurrentHashMap.newKeySet();
    private final AtomicLong unparseable = new AtomicLong();
    private final MqttClient client;

    public MqttReceiver(Vertx vertx, String clientId) {
        client = MqttClient.create(vertx, new MqttClientOptions().setClientId(clientId).setCleanSession(true)
                .setMaxMessageSize(8 * 1024 * 1024).setAutoAck(true));
        client.publishHandler(this::onMessage);
    }

    public Future<Void> start(String host, int port) {
        return client.connect(port, host)
                .compose(ack -> client.subscribe("platewarden/reads/#", MqttQoS.AT_LEAST_ONCE.value()))
                .mapEmpty();
    }

    private void onMessage(MqttPublishMessage message) {
        try {
            JsonNode root = JSON.readTree(message.payload().getBytes());
            if (root.isArray()) {
                for (JsonNode read : root) received.add(read.path("read_id").asText());
            } else {
                received.add(root.path("read_id").asText());
            }
        } catch (IOException e) {
            unparseable.incrementAndGet();
        }
    }

    public int receivedCount() {
        return received.size();
    }

    /** Waits (polling, bounded) until every id has arrived or the timeout passes; returns how many are missing. */
    public long awaitAll(Collection<String> ids, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        long missing;
        do {
            missing = ids.stream().filter(id -> !received.contains(id)).count();
            if (missing == 0) return 0;
            Thread.sleep(100);
        } while (System.currentTimeMillis() < deadline);
        return missing;
    }

    public long unparseable() {
        return unparseable.get();
    }

    public Future<Void> stop() {
        return client.isConnected() ? client.disconnect() : Future.succeededFuture();
    }
}
