package org.platewarden.gateway.mqtt;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.platewarden.core.io.PrivateDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the gateway's MQTT sessions ({@link StoredSessions}) across restarts: takes back the saved
 * ones at start, saves them every {@value #SAVE_INTERVAL_MS} ms when they changed or while a
 * connection whose session outlives it is open (its saved end moves on with time; on a worker thread:
 * a write and an fsync) and once more at stop, after the listeners closed. A crash loses at most the
 * last minute's new sessions: their clients are told Session Present 0 once, as before sessions were
 * kept; an open connection's session, saved within the last minute, ends at most a minute early. A file that cannot be read is logged and left to be overwritten: losing the
 * sessions costs less than not starting.
 */
public final class SessionPersistence implements AutoCloseable {
    static final long SAVE_INTERVAL_MS = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(SessionPersistence.class);

    private final Vertx vertx;
    private final ClientSessions sessions;
    private final Path file;
    private final long timer;

    private SessionPersistence(Vertx vertx, ClientSessions sessions, Path file) {
        this.vertx = vertx;
        this.sessions = sessions;
        this.file = file;
        this.timer = vertx.setPeriodic(SAVE_INTERVAL_MS, id -> {
            if (sessions.sessionsChanged()) vertx.executeBlocking(() -> {
                save();
                return null;
            });
        });
    }

    /** Restores the sessions saved under {@code dataDir} into {@code sessions} and starts saving them. Call at start-up, off the event loops. */
    public static SessionPersistence start(Vertx vertx, ClientSessions sessions, Path dataDir) throws IOException {
        Path file = PrivateDirectory.create(dataDir.resolve("mqtt")).resolve("sessions.json");
        try {
            List<SessionFile.Saved> saved = SessionFile.read(file);
            int taken = sessions.restore(saved);
            if (!saved.isEmpty()) LOG.info("MQTT sessions: {} of {} saved in {} taken back (the others had ended)", taken, saved.size(), file);
        } catch (IOException | RuntimeException e) {
            LOG.warn("MQTT sessions saved in {} could not be read ({}); starting without them: cameras reconnecting are told Session Present 0"
                    + " once", file, e.toString());
        }
        return new SessionPersistence(vertx, sessions, file);
    }

    synchronized void save() {
        try {
            SessionFile.write(file, sessions.sessionSnapshot());
        } catch (IOException | RuntimeException e) {
            sessions.sessionsUnsaved(); // the snapshot took the changes: without this, no tick would try again
            LOG.warn("MQTT sessions could not be saved to {}: {} (tried again in a minute and at stop)", file, e.toString());
        }
    }

    /** Stops the periodic save and saves once more (the stop's closed connections included). */
    @Override
    public void close() {
        vertx.cancelTimer(timer);
        save();
    }
}
