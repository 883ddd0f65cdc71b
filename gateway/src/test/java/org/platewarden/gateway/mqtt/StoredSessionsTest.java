package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StoredSessionsTest {
    static final long V311 = -1;
    final AtomicLong now = new AtomicLong(1_000_000);
    final StoredSessions sessions = new StoredSessions(3600, 3, now::get);
    final Object a = new Object();
    final Object b = new Object();

    @Test
    void aPersistentSessionIsPresentOnTheNextConnectUntilItsExpiryPasses() {
        assertFalse(sessions.begin("cam-1", "c1", false, 600, a).present(), "the first CONNECT finds no session");
        sessions.end("cam-1", "c1", a);
        now.addAndGet(599_999);
        assertTrue(sessions.begin("cam-1", "c1", false, 600, b).present(), "within its expiry the session is resumed");
        sessions.end("cam-1", "c1", b);
        now.addAndGet(600_000);
        assertFalse(sessions.begin("cam-1", "c1", false, 600, a).present(), "600 s after the close it has ended");
    }

    @Test
    void anMqtt5SessionWithoutAnExpiryEndsWithItsConnection() {
        sessions.begin("cam-1", "c1", false, 0, a);
        sessions.end("cam-1", "c1", a);
        assertEquals(0, sessions.size());
        assertFalse(sessions.begin("cam-1", "c1", false, 0, b).present());
    }

    @Test
    void mqtt311PersistentSessionsGetTheMaximumAndRequestsAreCappedAtIt() {
        assertEquals(3600, sessions.begin("cam-1", "c1", false, V311, a).expirySeconds());
        assertEquals(3600, sessions.begin("cam-1", "c2", false, 0xFFFF_FFFFL, a).expirySeconds(), "never = the maximum");
        assertEquals(60, sessions.begin("cam-1", "c3", false, 60, a).expirySeconds());
        sessions.end("cam-1", "c1", a);
        now.addAndGet(3_599_000);
        assertTrue(sessions.begin("cam-1", "c1", false, V311, b).present());
    }

    @Test
    void anMqtt311CleanSessionEndsWithItsConnection() {
        sessions.begin("cam-1", "c1", false, V311, a);
        sessions.end("cam-1", "c1", a);
        assertFalse(sessions.begin("cam-1", "c1", true, V311, b).present());
        sessions.end("cam-1", "c1", b);
        assertFalse(sessions.begin("cam-1", "c1", false, V311, a).present(), "Clean Session 1 ended the stored session and left none");
    }

    @Test
    void cleanStartEndsTheStoredSessionAndIsNeverPresent() {
        sessions.begin("cam-1", "c1", false, 600, a);
        sessions.end("cam-1", "c1", a);
        assertFalse(sessions.begin("cam-1", "c1", true, 600, b).present(), "Clean Start 1: Session Present must be 0");
        sessions.end("cam-1", "c1", b);
        // the clean connection began a new session with its own expiry; the old one is gone either way
        Object c = new Object();
        assertTrue(sessions.begin("cam-1", "c1", false, 600, c).present(), "the session the clean connection began (expiry 600) is kept");
        sessions.end("cam-1", "c1", c);
        assertFalse(sessions.begin("cam-1", "c1", true, 0, a).present());
        sessions.end("cam-1", "c1", a);
        assertFalse(sessions.begin("cam-1", "c1", false, 600, b).present(), "a clean connection with expiry 0 leaves nothing behind");
    }

    @Test
    void aTakeOverResumesTheOpenSessionAndTheOldConnectionsCloseDoesNotEndIt() {
        sessions.begin("cam-1", "c1", false, 600, a);
        assertTrue(sessions.begin("cam-1", "c1", false, 600, b).present(), "the open connection's session exists");
        sessions.end("cam-1", "c1", a); // the replaced connection closes after the new one took over
        now.addAndGet(10_000_000);
        assertEquals(1, sessions.size(), "still open under b: no expiry runs");
        sessions.end("cam-1", "c1", b);
        assertTrue(sessions.begin("cam-1", "c1", false, 600, a).present());
    }

    @Test
    void sessionsAreTheirCamerasOwnAndNeedAClientId() {
        sessions.begin("cam-1", "c1", false, 600, a);
        sessions.end("cam-1", "c1", a);
        assertFalse(sessions.begin("cam-2", "c1", false, 600, b).present(), "another camera's client id resumes nothing");
        assertFalse(sessions.begin("cam-1", "", false, 600, b).present(), "an empty client id (assigned by the server) is new each time");
        sessions.end("cam-1", "", b);
    }

    @Test
    void aDisconnectMayShortenTheExpiry() {
        sessions.begin("cam-1", "c1", false, 600, a);
        sessions.changeExpiry("cam-1", "c1", a, 0);
        sessions.end("cam-1", "c1", a);
        assertFalse(sessions.begin("cam-1", "c1", false, 600, b).present(), "DISCONNECT with expiry 0 ended it");
        sessions.changeExpiry("cam-1", "c1", a, 100_000); // not a's any more: ignored
        sessions.changeExpiry("cam-1", "c1", b, 100_000);
        sessions.end("cam-1", "c1", b);
        now.addAndGet(3_599_000);
        assertTrue(sessions.begin("cam-1", "c1", false, 600, a).present(), "raised, but no further than the maximum (3600 s)");
    }

    @Test
    void aCameraKeepsABoundedNumberOfClosedSessionsAndTheSoonestToEndGivesWay() {
        sessions.begin("cam-1", "short", false, 10, a);
        sessions.end("cam-1", "short", a);
        for (String id : new String[] {"x", "y"}) {
            sessions.begin("cam-1", id, false, 600, a);
            sessions.end("cam-1", id, a);
        }
        sessions.begin("cam-1", "z", false, 600, b); // a fourth: the one ending soonest goes
        assertEquals(3, sessions.size());
        now.addAndGet(1_000);
        sessions.end("cam-1", "z", b); // closed last: ends after x and y
        assertFalse(sessions.begin("cam-1", "short", false, 10, a).present(), "'short' made room");
        assertEquals(3, sessions.size(), "and 'short' took the place of the next soonest (x or y)");
        assertTrue(sessions.begin("cam-1", "z", false, 600, b).present());
    }

    @Test
    void expiredSessionsAreDroppedWhenTheirCameraConnects() {
        sessions.begin("cam-1", "c1", false, 5, a);
        sessions.end("cam-1", "c1", a);
        now.addAndGet(6_000);
        sessions.begin("cam-1", "c2", false, 5, b);
        assertEquals(1, sessions.size());
    }

    @Test
    void aSnapshotTakenBackAfterARestartKeepsEachSessionsEnd() {
        sessions.begin("cam-1", "closed", false, 600, a);
        sessions.end("cam-1", "closed", a);
        sessions.begin("cam-1", "open", false, 1200, b);
        sessions.begin("cam-1", "no-expiry", false, 0, b);
        assertTrue(sessions.changed());
        now.addAndGet(100_000);
        java.util.List<SessionFile.Saved> saved = sessions.snapshot();
        assertFalse(sessions.changed(), "a snapshot takes the changes");
        assertEquals(2, saved.size(), "a session that ends with its connection is not saved: " + saved);

        StoredSessions restarted = new StoredSessions(3600, 3, now::get);
        now.addAndGet(10_000);
        assertEquals(2, restarted.restore(saved));
        now.addAndGet(489_999); // 'closed' closed 600 s ago minus 1 ms
        assertTrue(restarted.begin("cam-1", "closed", false, 600, a).present());
        now.addAndGet(700_001); // 'open' was saved as closed at the snapshot: 1 200 s after it has passed now
        assertFalse(restarted.begin("cam-1", "open", false, 1200, b).present());
    }

    @Test
    void restoredSessionsEndedMeanwhileOrLongerThanTheMaximumNowAreCutBack() {
        long t = now.get();
        java.util.List<SessionFile.Saved> saved = java.util.List.of(
                new SessionFile.Saved("cam-1", "ended", 600, t - 1),
                new SessionFile.Saved("cam-1", "long", 100_000, t + 100_000_000L),
                new SessionFile.Saved("cam-1", "", 600, t + 600_000));
        assertEquals(1, sessions.restore(saved));
        now.addAndGet(3_600_000 - 1);
        assertTrue(sessions.begin("cam-1", "long", false, V311, a).present(), "kept for the maximum configured now (3600 s)");
        sessions.end("cam-1", "long", a);
        assertFalse(sessions.begin("cam-1", "ended", false, V311, b).present());
    }

    /**
     * A camera stays connected far longer than its session's expiry (the normal case: 24/7) while
     * nothing else changes. What was saved at its CONNECT says the session ends {@code expiry} after
     * that save; unless the periodic save writes it again, a crash an hour later restores nothing, the
     * camera is told Session Present 0 and an MQTT 5 client drops the QoS 1 messages the crash left
     * unacknowledged.
     */
    @Test
    void anOpenSessionIsSavedAgainWhileItsConnectionLastsSoACrashDoesNotEndIt() {
        sessions.begin("cam-1", "c1", false, 300, a);
        java.util.List<SessionFile.Saved> saved = sessions.snapshot(); // the periodic save after the CONNECT
        now.addAndGet(3_600_000); // an hour later, still connected; nothing began, ended or changed
        if (sessions.changed()) saved = sessions.snapshot(); // what SessionPersistence's timer does each minute
        now.addAndGet(10_000); // the node crashes and is back 10 s later
        StoredSessions restarted = new StoredSessions(3600, 3, now::get);
        assertEquals(1, restarted.restore(saved), "the session of the connection the crash cut is taken back: " + saved);
        assertTrue(restarted.begin("cam-1", "c1", false, 300, b).present(), "its camera resumes it (crash 10 s ago, expiry 300 s)");
    }

    @Test
    void aSnapshotRightAfterAnotherIsNotNeededWhenNothingChanged() {
        sessions.begin("cam-1", "c1", false, 300, a);
        sessions.snapshot();
        assertFalse(sessions.changed(), "within the same instant nothing moved on");
        sessions.end("cam-1", "c1", a);
        sessions.snapshot();
        now.addAndGet(3_600_000);
        assertFalse(sessions.changed(), "a closed session's end is fixed: no periodic save for it");
    }

    /**
     * More only while more connections are open: a camera (or whoever holds its secret) that opens
     * many connections with client ids of its own making and then closes them must not leave one
     * stored session per connection behind for a week (and in every save) until it connects again.
     */
    @Test
    void closedSessionsPastTheBoundGiveWayWhenTheirConnectionsClose() {
        Object[] owners = new Object[10];
        for (int i = 0; i < owners.length; i++) {
            owners[i] = new Object();
            sessions.begin("cam-1", "made-up-" + i, false, 600, owners[i]);
        }
        assertEquals(10, sessions.size(), "ten connections open: ten sessions");
        for (int i = 0; i < owners.length; i++) {
            now.addAndGet(1);
            sessions.end("cam-1", "made-up-" + i, owners[i]);
        }
        assertEquals(3, sessions.size(), "once they closed, the camera keeps its bound of 3");
        assertEquals(3, sessions.snapshot().size());
        assertTrue(sessions.begin("cam-1", "made-up-9", false, 600, a).present(), "the last to close (ending last) are the ones kept");
    }
}
