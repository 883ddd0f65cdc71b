package org.platewarden.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One MQTT camera connection publishing to {@code platewarden/reads/{camera_id}} with up to
 * {@code window} QoS 1 messages awaiting PUBACK. Packet ids are chosen here and registered before
 * the PUBLISH is written, so a PUBACK can never overtake its bookkeeping. A message holds one read
 * (batch 1) or a JSON array of reads.
 */
public final class MqttSender extends VerticleBase {
    private final String host;
    private final int port;
    private final boolean authenticate;
    private final String clientId;
    private final MqttQoS qos;
    private final int batch;
    private final int window;
    private final LoadControl control;
    private final ReadFactory reads;
    private final AckLog ackLog;
    private final ConnectionStats stats;
    private final Promise<Void> done;
    private final String topic;
    private final Map<Integer, InFlight> inFlight = new HashMap<>();
    private MqttClient client;
    private int scheduled;
    private int unconfirmedQos0;
    private int lastPacketId;
    private boolean stopping;

    public MqttSender(String host, int port, boolean authenticate, String clientId, int qos, int batch, int window,
                      LoadControl control, ReadFactory reads, AckLog ackLog, ConnectionStats stats, Promise<Void> done) {
        this.host = host;
        this.port = port;
        this.authenticate = authenticate;
        this.clientId = clientId;
        this.qos = MqttQoS.valueOf(qos);
        this.batch = batch;
        this.window = window;
        this.control = control;
        this.reads = reads;
        this.ackLog = ackLog;
        this.stats = stats;
        this.done = done;
        this.topic = DemoCameras.topic(reads.cameraId());
    }

    @Override
    public Future<?> start() {
        MqttClientOptions options = new MqttClientOptions().setClientId(clientId).setCleanSession(true)
                .setMaxInflightQueue(Math.max(window, 1)).setMaxMessageSize(8 * 1024 * 1024).setKeepAliveInterval(60);
        if (authenticate) {
            options.setUsername(reads.cameraId()).setPassword(DemoCameras.secret(reads.cameraId()));
        }
        client = MqttClient.create(vertx, options);
        client.publishCompletionHandler(this::acknowledged);
        client.closeHandler(v -> connectionClosed());
        return client.connect(port, host);
    }

    /** Starts publishing (after {@link LoadControl#begin()}). */
    public void begin() {
        context.runOnContext(v -> fill());
    }

    private void fill() {
        while (!stopping && inFlight.size() + scheduled + unconfirmedQos0 < window) {
            int n = control.claim(batch);
            if (n == 0) {
                stopping = true;
                break;
            }
            long due = control.pacer().nextDue();
            List<String> ids = new ArrayList<>(n);
            Buffer payload = payload(n, ids);
            long delayMillis = (due - System.nanoTime()) / 1_000_000;
            if (delayMillis >= 1) {
                scheduled++;
                vertx.setTimer(delayMillis, t -> {
                    scheduled--;
                    publish(ids, payload, due);
                });
            } else {
                publish(ids, payload, due);
            }
        }
        finishIfDrained();
    }

    private Buffer payload(int n, List<String> ids) {
        if (n == 1) {
            ReadFactory.Read read = reads.next();
            ids.add(read.id());
            return Buffer.buffer(read.json());
        }
        Buffer body = Buffer.buffer(n * 420).appendByte((byte) '[');
        for (int i = 0; i < n; i++) {
            ReadFactory.Read read = reads.next();
            if (i > 0) body.appendByte((byte) ',');
            body.appendBytes(read.json());
            ids.add(read.id());
        }
        return body.appendByte((byte) ']');
    }

    private void publish(List<String> ids, Buffer payload, long due) {
        if (!client.isConnected()) {
            stats.error("connection lost before publish");
            finishIfDrained();
            return;
        }
        stats.sent(System.nanoTime());
        if (qos == MqttQoS.AT_MOST_ONCE) {
            // QoS 0 has no acknowledgement: nothing is recorded as acknowledged; the window bounds unwritten messages
            unconfirmedQos0++;
            client.publish(topic, payload, qos, false, false).onComplete(ar -> {
                unconfirmedQos0--;
                fill();
            });
            return;
        }
        int packetId = nextPacketId();
        inFlight.put(packetId, new InFlight(ids, due));
        client.publish(packetId, topic, payload, qos, false, false).onFailure(e -> {
            inFlight.remove(packetId);
            stats.error(String.valueOf(e));
            fill();
        });
    }

    private int nextPacketId() {
        do {
            lastPacketId = lastPacketId % 65_535 + 1;
        } while (inFlight.containsKey(lastPacketId));
        return lastPacketId;
    }

    private void acknowledged(int packetId) {
        InFlight f = inFlight.remove(packetId);
        if (f == null) return;
        stats.acked(f.ids.size(), f.due);
        ackLog.acknowledged(f.ids);
        fill();
    }

    private void connectionClosed() {
        if (!inFlight.isEmpty() || !stopping) {
            stats.error("connection closed by the server with " + inFlight.size() + " messages awaiting PUBACK");
        }
        inFlight.clear();
        stopping = true;
        scheduled = 0;
        done.tryComplete();
    }

    private void finishIfDrained() {
        if (stopping && inFlight.isEmpty() && scheduled == 0 && unconfirmedQos0 == 0 && !done.future().isComplete()) {
            done.tryComplete();
        }
    }

    @Override
    public Future<?> stop() {
        return client != null && client.isConnected() ? client.disconnect().otherwiseEmpty() : Future.succeededFuture();
    }

    private record InFlight(List<String> ids, long due) {
    }
}
