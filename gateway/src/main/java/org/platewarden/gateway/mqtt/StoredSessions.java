package org.platewarden.gateway.mqtt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The MQTT sessions the gateway keeps between a camera's connections, so that CONNACK's Session
 * Present tells the truth. The gateway only takes PUBLISHes — no subscriptions, nothing sent to a
 * client that awaits its acknowledgement, no QoS 2 for MQTT 5 — so a session's whole state here is
 * that it exists and, once its connection is gone, when it ends; MQTT 5 counts exactly that as
 * session state ("the existence of a Session, even if the rest of the Session State is empty", §4.1).
 *
 * <p>Why it matters: an MQTT 5 client that connects with Clean Start 0 and is answered Session
 * Present 0 must discard its own session state [MQTT-3.2.2-5] — among it the QoS 1 messages it sent
 * that were not acknowledged yet — rather than resend them (the HiveMQ client fails them with "Session
 * expired as CONNACK did not contain the session present flag"). A camera whose connection dropped
 * while reads awaited their fsync would lose them on its side, though the gateway never acknowledged
 * them. With a stored session it resends them, and duplicates are dropped by read id.
 *
 * <p>A session ends {@code expiry} seconds after its connection closed: MQTT 5's Session Expiry
 * Interval from CONNECT (absent = 0: it ends with the connection), at most {@code maxExpirySeconds};
 * MQTT 3.1.1's persistent sessions (Clean Session 0) have no interval, so they get the maximum, and
 * its Clean Session 1 sessions end with their connection. A
 * CONNECT with Clean Start/Clean Session 1 ends any stored session of its client id. Keyed by camera
 * and client id: one camera's client id never resumes another camera's session.
 *
 * <p>Bounded: cameras come from the configuration and authenticate before they get here, and each
 * keeps at most {@code maxPerCamera} sessions (more only while more of its connections are open) (the one ending soonest
 * gives way); expired ones are dropped whenever their camera connects. Saved to the data dir
 * ({@link SessionFile}) every minute and at stop, and taken back at start, so a restart ends none.
 *
 * <p>Thread-safe: the event loops share one instance; each call is a few map operations under the
 * instance's lock, once per CONNECT and per close.
 */
final class StoredSessions {
    /** What {@link #begin} decided for a CONNECT. */
    record Begun(boolean present, long expirySeconds) {
    }

    /**
     * Closed sessions kept per camera: a camera uses one client id, or a few (one per lens or
     * process); more is a camera making up a new id per connection, whose old sessions nobody resumes.
     */
    static final int MAX_CLOSED_PER_CAMERA = 16;

    private static final class Session {
        Object owner;
        long expirySeconds;
        /** when its last connection closed (clock millis); -1 while one is open */
        long closedAtMillis = -1;

        boolean ended(long nowMillis) {
            return closedAtMillis >= 0 && nowMillis - closedAtMillis >= expirySeconds * 1000;
        }
    }

    private final long maxExpirySeconds;
    private final int maxPerCamera;
    private final LongSupplier clockMillis;
    /** camera id → client id → session */
    private final Map<String, Map<String, Session>> byCamera = new HashMap<>();
    /** begins, ends and changes since the last snapshot */
    private long changes;
    /** when the last snapshot was taken (clock millis) */
    private long snapshotAtMillis = Long.MIN_VALUE;

    StoredSessions(long maxExpirySeconds, int maxPerCamera, LongSupplier clockMillis) {
        if (maxExpirySeconds < 0 || maxPerCamera < 1) throw new IllegalArgumentException("session bounds: " + maxExpirySeconds + ", " + maxPerCamera);
        this.maxExpirySeconds = maxExpirySeconds;
        this.maxPerCamera = maxPerCamera;
        this.clockMillis = clockMillis;
    }

    /**
     * A CONNECT of {@code cameraId} with {@code clientId} is being accepted: whether its session was
     * present (Clean Start 0 and a session not ended), and the expiry the session gets, which
     * {@code owner}'s connection holds from now on. {@code requestedExpirySeconds}: MQTT 5's Session
     * Expiry Interval (0 when absent; 4294967295 = never), or -1 for MQTT 3.1.1.
     */
    synchronized Begun begin(String cameraId, String clientId, boolean cleanStart, long requestedExpirySeconds, Object owner) {
        // MQTT 3.1.1: Clean Session 1 lasts as long as its connection, 0 has no end of its own
        long expiry = requestedExpirySeconds < 0 ? (cleanStart ? 0 : maxExpirySeconds) : Math.min(requestedExpirySeconds, maxExpirySeconds);
        if (clientId == null || clientId.isEmpty()) return new Begun(false, 0); // a client id the server assigns is new each time
        long now = clockMillis.getAsLong();
        Map<String, Session> sessions = byCamera.computeIfAbsent(cameraId, c -> new HashMap<>());
        sessions.values().removeIf(s -> s.ended(now));
        Session session = sessions.get(clientId);
        boolean present = !cleanStart && session != null;
        if (session == null) {
            session = new Session();
            sessions.put(clientId, session);
            makeRoom(sessions, session);
        }
        session.owner = owner;
        session.expirySeconds = expiry;
        session.closedAtMillis = -1;
        changes++;
        return new Begun(present, expiry);
    }

    /**
     * {@code owner}'s connection closed: its session ends now if its expiry is 0, else it is kept
     * until its expiry passes. Nothing happens if another connection took the session over since.
     */
    synchronized void end(String cameraId, String clientId, Object owner) {
        if (clientId == null || clientId.isEmpty()) return;
        Map<String, Session> sessions = byCamera.get(cameraId);
        Session session = sessions == null ? null : sessions.get(clientId);
        if (session == null || session.owner != owner) return;
        session.owner = null;
        changes++;
        if (session.expirySeconds == 0) {
            sessions.remove(clientId);
            if (sessions.isEmpty()) byCamera.remove(cameraId);
        } else {
            session.closedAtMillis = clockMillis.getAsLong();
            // past the bound only while its connections were open: now closed, the soonest to end give way
            makeRoom(sessions, null);
        }
    }

    /**
     * The client's DISCONNECT set its session's expiry to {@code requestedExpirySeconds} (at most the
     * maximum); applies to the session {@code owner} holds, before {@link #end}.
     */
    synchronized void changeExpiry(String cameraId, String clientId, Object owner, long requestedExpirySeconds) {
        Map<String, Session> sessions = byCamera.get(cameraId);
        Session session = sessions == null || clientId == null ? null : sessions.get(clientId);
        if (session != null && session.owner == owner) {
            session.expirySeconds = Math.min(requestedExpirySeconds, maxExpirySeconds);
            changes++;
        }
    }

    /**
     * Every session that would outlive a stop now, for {@link SessionFile}: an open one as if its
     * connection closed now (a stop closes it), a closed one as it is; none whose expiry is 0.
     */
    synchronized List<SessionFile.Saved> snapshot() {
        long now = clockMillis.getAsLong();
        List<SessionFile.Saved> out = new ArrayList<>();
        byCamera.forEach((camera, sessions) -> sessions.forEach((clientId, s) -> {
            if (s.expirySeconds == 0 || s.ended(now)) return;
            long endsAt = (s.closedAtMillis < 0 ? now : s.closedAtMillis) + s.expirySeconds * 1000;
            out.add(new SessionFile.Saved(camera, clientId, s.expirySeconds, endsAt));
        }));
        changes = 0;
        snapshotAtMillis = now;
        return out;
    }

    /**
     * Takes back saved sessions (at start-up, before any CONNECT) as closed ones that end when they
     * were to; those ended meanwhile are dropped, and none outlives the maximum configured now.
     * Returns how many were taken.
     */
    synchronized int restore(List<SessionFile.Saved> saved) {
        long now = clockMillis.getAsLong();
        int taken = 0;
        for (SessionFile.Saved s : saved) {
            if (s.cameraId() == null || s.clientId() == null || s.clientId().isEmpty() || s.endsAtMillis() <= now) continue;
            long expiry = Math.min(s.expirySeconds(), maxExpirySeconds);
            long endsAt = Math.min(s.endsAtMillis(), now + expiry * 1000);
            if (expiry <= 0 || endsAt <= now) continue;
            Map<String, Session> sessions = byCamera.computeIfAbsent(s.cameraId(), c -> new HashMap<>());
            Session session = new Session();
            session.expirySeconds = expiry;
            session.closedAtMillis = endsAt - expiry * 1000;
            sessions.put(s.clientId(), session);
            makeRoom(sessions, session);
            taken++;
        }
        return taken;
    }

    /**
     * Whether the last {@link #snapshot} is out of date: a session began, ended or changed since, or
     * time has passed while a session that outlives its connection is open. An open session is saved
     * as ending {@code expiry} after the snapshot (a crash cuts its connection then, at the latest),
     * so it must be saved again as time goes on: else a camera connected for longer than its expiry
     * (24/7 is the normal case) would find no session after a crash, though its connection was cut
     * just now.
     */
    synchronized boolean changed() {
        if (changes > 0) return true;
        if (clockMillis.getAsLong() <= snapshotAtMillis) return false;
        for (Map<String, Session> sessions : byCamera.values()) {
            for (Session s : sessions.values()) {
                if (s.closedAtMillis < 0 && s.expirySeconds > 0) return true;
            }
        }
        return false;
    }

    /** The last {@link #snapshot} could not be saved: the next {@link #changed} is true, so it is tried again. */
    synchronized void unsaved() {
        changes++;
    }

    /** Sessions held (open or waiting for their client), for metrics and tests. */
    synchronized int size() {
        return byCamera.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * Past {@code maxPerCamera}, the closed session that would end soonest gives way (never an open one,
     * never {@code keep}, which may be null); at each begin and each close.
     */
    private void makeRoom(Map<String, Session> sessions, Session keep) {
        while (sessions.size() > maxPerCamera) {
            Iterator<Map.Entry<String, Session>> it = sessions.entrySet().iterator();
            Map.Entry<String, Session> soonest = null;
            while (it.hasNext()) {
                Map.Entry<String, Session> e = it.next();
                Session s = e.getValue();
                if (s == keep || s.closedAtMillis < 0) continue;
                if (soonest == null || endsAt(s) < endsAt(soonest.getValue())) soonest = e;
            }
            if (soonest == null) return; // every other one is open: open connections are bounded elsewhere
            sessions.remove(soonest.getKey());
        }
    }

    private static long endsAt(Session s) {
        return s.closedAtMillis + s.expirySeconds * 1000;
    }
}
