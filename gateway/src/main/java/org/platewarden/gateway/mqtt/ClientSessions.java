package org.platewarden.gateway.mqtt;

import io.vertx.core.Context;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the MQTT listeners of every event loop share about cameras' connections: the last oversize
 * packet dead-lettered per camera (a resend may land on another loop), and the open connections by
 * camera and client id. A
 * second connection of the same camera with the same client id takes over: the first is sent
 * DISCONNECT {@code SESSION_TAKEN_OVER} (MQTT 5; 3.1.1 is closed) and closed, as MQTT requires of a
 * server — typically a camera reconnecting while its old, half-open connection had not timed out
 * yet. Its messages awaiting fsync get no PUBACK and are resent on the new connection (duplicates
 * are dropped by read_id). Keyed by camera too: one camera's client id cannot close another
 * camera's connection. At most one entry per open connection. The sessions that outlive their
 * connections, for CONNACK's Session Present, are {@link StoredSessions}.
 */
public final class ClientSessions {
    private record Open(CameraSession session, Context context) {
    }

    private record Refusal(String reason, long atNanos) {
    }

    private final Map<String, Open> open = new ConcurrentHashMap<>();
    /**
     * Every open connection by camera, with or without a client id: a reload that removes or re-keys
     * a camera closes them all ({@link #endConnectionsOf}). At most one entry per open connection.
     */
    private final Map<String, Map<CameraSession, Context>> byCamera = new ConcurrentHashMap<>();
    private final StoredSessions stored;
    /** per camera, the last oversize refusal dead-lettered: a camera's resends land on any event loop (one entry per camera) */
    private final Map<String, Refusal> lastOversize = new ConcurrentHashMap<>();

    /** {@code maxSessionExpirySeconds}: how long a session may outlive its connection (0: not at all). */
    public ClientSessions(long maxSessionExpirySeconds) {
        this.stored = new StoredSessions(maxSessionExpirySeconds, StoredSessions.MAX_CLOSED_PER_CAMERA, System::currentTimeMillis);
    }

    /**
     * A CONNECT is being accepted, on {@code context}'s event loop: whether it resumes a session and
     * the expiry its session now has ({@link StoredSessions#begin}), and it becomes the camera's open
     * connection with this client id — one it replaces is taken over (closed on its own event loop).
     * One step under the instance's lock with {@link #closed}: two connections of one client id
     * arriving on two event loops at once cannot leave the session owned by the one that was taken
     * over (its close would then end the session of the one still open).
     */
    synchronized StoredSessions.Begun open(String cameraId, String clientId, boolean cleanStart, long requestedExpirySeconds,
                                           CameraSession session, Context context) {
        StoredSessions.Begun begun = stored.begin(cameraId, clientId, cleanStart, requestedExpirySeconds, session);
        if (session != null && context != null) byCamera.computeIfAbsent(cameraId, id -> new ConcurrentHashMap<>()).put(session, context);
        if (clientId == null || clientId.isEmpty()) return begun;
        Open previous = open.put(key(cameraId, clientId), new Open(session, context));
        if (previous != null && previous.session() != session) {
            previous.context().runOnContext(v -> previous.session().takenOver());
        }
        return begun;
    }

    /** The sessions to save: {@link StoredSessions#snapshot}. */
    java.util.List<SessionFile.Saved> sessionSnapshot() {
        return stored.snapshot();
    }

    /** Takes back saved sessions: {@link StoredSessions#restore}. */
    int restore(java.util.List<SessionFile.Saved> saved) {
        return stored.restore(saved);
    }

    /** Whether the sessions changed since the last {@link #sessionSnapshot}. */
    boolean sessionsChanged() {
        return stored.changed();
    }

    /** The last {@link #sessionSnapshot} could not be saved: {@link #sessionsChanged} says so until one is. */
    void sessionsUnsaved() {
        stored.unsaved();
    }

    /** An MQTT 5 DISCONNECT set a new Session Expiry Interval: {@link StoredSessions#changeExpiry}. */
    void changeExpiry(String cameraId, String clientId, CameraSession session, long requestedExpirySeconds) {
        stored.changeExpiry(cameraId, clientId, session, requestedExpirySeconds);
    }

    /**
     * Whether an oversize refusal of this camera is new — not the same reason dead-lettered less
     * than {@code window} ago, on whichever event loop — and if so, remembers it.
     */
    boolean newOversizeRefusal(String cameraId, String reason, long nowNanos, java.time.Duration window) {
        boolean[] fresh = {false};
        lastOversize.compute(cameraId, (id, last) -> {
            if (last != null && last.reason().equals(reason) && nowNanos - last.atNanos() < window.toNanos()) return last;
            fresh[0] = true;
            return new Refusal(reason, nowNanos);
        });
        return fresh[0];
    }

    /**
     * The connection closed: forgotten, unless a newer one of the same key took its place already;
     * its session is kept until its expiry passes.
     */
    synchronized void closed(String cameraId, String clientId, CameraSession session) {
        stored.end(cameraId, clientId, session);
        byCamera.computeIfPresent(cameraId, (id, sessions) -> {
            if (session != null) sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
        if (clientId == null || clientId.isEmpty()) return;
        open.computeIfPresent(key(cameraId, clientId), (k, o) -> o.session() == session ? null : o);
    }

    /**
     * A reload removed, re-keyed or moved these cameras: each of their open connections is closed
     * on its own event loop ({@link CameraSession#revoked}): MQTT 5 DISCONNECT {@code NOT_AUTHORIZED}
     * for a removed camera, {@code ADMINISTRATIVE_ACTION} for one whose secrets or agency changed
     * (it may reconnect with what is configured now). Returns how many connections were told to close.
     */
    public int endConnectionsOf(org.platewarden.core.config.CredentialChanges changes) {
        java.util.Set<String> removed = changes.camerasRemoved();
        int told = 0;
        for (String cameraId : changes.camerasToDisconnect()) {
            Map<CameraSession, Context> sessions = byCamera.get(cameraId);
            if (sessions == null) continue;
            boolean gone = removed.contains(cameraId);
            for (Map.Entry<CameraSession, Context> e : sessions.entrySet()) {
                e.getValue().runOnContext(v -> e.getKey().revoked(gone));
                told++;
            }
        }
        return told;
    }

    /** Open connections of {@code cameraId} (tests). */
    int openConnections(String cameraId) {
        Map<CameraSession, Context> sessions = byCamera.get(cameraId);
        return sessions == null ? 0 : sessions.size();
    }

    int size() {
        return open.size();
    }

    /** Sessions held, open or waiting for their client. */
    int storedSessions() {
        return stored.size();
    }

    private static String key(String cameraId, String clientId) {
        return cameraId + '\u0000' + clientId;
    }
}
