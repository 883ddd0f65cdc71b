package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionPersistenceTest {
    @Test
    void aSaveThatFailedIsTriedAgainAtTheNextTick(@TempDir Path dataDir) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            ClientSessions sessions = new ClientSessions(3600);
            SessionPersistence persistence = SessionPersistence.start(vertx, sessions, dataDir);
            sessions.open("cam-001", "c1", false, -1, null, null);
            sessions.closed("cam-001", "c1", null);
            // the temp file cannot be created: the write fails (a full or read-only disk would do the same)
            Path tmp = dataDir.resolve("mqtt").resolve("sessions.json.tmp");
            Files.createDirectories(tmp.resolve("blocker"));
            persistence.save();
            assertTrue(sessions.sessionsChanged(), "the session is not on disk: the next tick must save it (\"tried again in a minute\")");
            Files.delete(tmp.resolve("blocker"));
            Files.delete(tmp);
            persistence.close();
            assertEquals(1, SessionFile.read(dataDir.resolve("mqtt").resolve("sessions.json")).size());
        } finally {
            vertx.close().await();
        }
    }
}
