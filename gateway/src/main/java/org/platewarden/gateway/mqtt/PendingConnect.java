package org.platewarden.gateway.mqtt;

import io.vertx.mqtt.MqttEndpoint;

/**
 * What happens to a connection between its CONNECT and the answer to it, while the credentials
 * are verified (PBKDF2, on a worker, unless recently verified). Vert.x may close the connection in
 * that window: on a PUBLISH sent before CONNACK (MQTT allows it; Vert.x 5.1.1 refuses any packet
 * before the endpoint is accepted) or on a packet above the size limit. The answer must then not
 * be written to, nor a session started on, the closed endpoint (Vert.x throws), and an oversize
 * packet's refusal must still be recorded once the camera is known.
 *
 * <p>The handlers are the endpoint's until a {@link CameraSession} sets its own. All of them, and
 * the authentication's answer, run on the connection's event loop.
 */
final class PendingConnect {
    private boolean closed;
    private Throwable failure;

    private PendingConnect() {
    }

    /** {@code onClose} runs if the connection closes before a session takes over its handlers. */
    static PendingConnect watch(MqttEndpoint endpoint, Runnable onClose) {
        PendingConnect pending = new PendingConnect();
        endpoint.exceptionHandler(t -> {
            if (pending.failure == null) pending.failure = t;
        });
        endpoint.closeHandler(v -> {
            pending.closed = true;
            onClose.run();
        });
        return pending;
    }

    boolean closed() {
        return closed;
    }

    /** The first error Vert.x reported before the answer (null if none). */
    Throwable failure() {
        return failure;
    }
}
