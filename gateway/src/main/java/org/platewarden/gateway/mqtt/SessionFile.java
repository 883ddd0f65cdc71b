package org.platewarden.gateway.mqtt;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.platewarden.core.io.AtomicFile;

/**
 * The gateway's MQTT sessions on disk ({@code <data_dir>/mqtt/sessions.json}), so a restart — an
 * upgrade, a crash — does not end them: a camera reconnecting with Clean Start 0 is still told its
 * session is present and resends what it had not had acknowledged (see {@link StoredSessions}).
 * Replaced whole ({@link AtomicFile}), so a crash leaves the previous version or the new one, never
 * half of one. Holds camera ids, client ids and times: no plate. Version 1.
 */
final class SessionFile {
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One session: when it ends (epoch millis) if its client does not come back, and its expiry. */
    record Saved(@JsonProperty("camera_id") String cameraId, @JsonProperty("client_id") String clientId,
                 @JsonProperty("expiry_seconds") long expirySeconds, @JsonProperty("ends_at_ms") long endsAtMillis) {
    }

    record Contents(@JsonProperty("version") int version, @JsonProperty("sessions") List<Saved> sessions) {
    }

    private SessionFile() {
    }

    /** The sessions saved in {@code file}; none when it does not exist. A file of another version, or unreadable, is an IOException. */
    static List<Saved> read(Path file) throws IOException {
        if (!Files.exists(file)) return List.of();
        Contents c = JSON.readValue(file.toFile(), Contents.class);
        if (c.version() != VERSION) throw new IOException("MQTT session file " + file + " has version " + c.version() + ", not " + VERSION);
        return c.sessions() == null ? List.of() : c.sessions();
    }

    static void write(Path file, List<Saved> sessions) throws IOException {
        AtomicFile.replace(file, ByteBuffer.wrap(JSON.writeValueAsBytes(new Contents(VERSION, sessions))));
    }
}
