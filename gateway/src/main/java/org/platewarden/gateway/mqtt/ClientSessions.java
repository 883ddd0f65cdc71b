package org.platewarden.gateway.mqtt;

import io.vertx.core.Context;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open MQTT connections by camera and client id, shared by every event loop's listener. A
 * second connection of the same camera with the same client id takes over: the first is sent
 * DISCONNECT {@code SESSION_TAKEN_OVER} (MQTT 5; 3.1.1 is closed) and closed, as MQTT requires of a
 * server — typically a camera reconnecting while its old, half-open connection had not timed out
 * yet. Its messages awaiting fsync get no PUBACK and are resent on the new connection (duplicates
 * are dropped by read_id). Keyed by camera too: one camera's client id cannot close another
 * camera's connection. At most one entry per open connection.
 */
public final class ClientSessions {
    private record Open(CameraSession session, Context context) {
    }

    private final Map<String, Open> open = new ConcurrentHashMap<>();

    /** Registers a session that has just been accepted, on its own event loop; closes the one it replaces. */
    void opened(String cameraId, String clientId, CameraSession session, Context context) {
        if (clientId == null || clientId.isEmpty()) return;
        Open previous = open.put(key(cameraId, clientId), new Open(session, context));
        if (previous != null && previous.session() != session) {
            previous.context().runOnContext(v -> previous.session().takenOver());
        }
    }

    /** The session closed: forgotten, unless a newer one of the same key took its place already. */
    void closed(String cameraId, String clientId, CameraSession session) {
        if (clientId == null || clientId.isEmpty()) return;
        open.computeIfPresent(key(cameraId, clientId), (k, o) -> o.session() == session ? null : o);
    }

    int size() {
        return open.size();
    }

    private static String key(String cameraId, String clientId) {
        return cameraId + '\u0000' + clientId;
    }
}
