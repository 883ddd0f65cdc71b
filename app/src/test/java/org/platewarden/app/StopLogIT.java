package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.ElasticsearchFixture;
import org.platewarden.testkit.LogCapture;

/**
 * A stop says so in the log: why it began, each role's stop with how long it took, and a last
 * "stopped" line, so that ops reading the log after a restart tell a clean stop from a crash.
 */
class StopLogIT {
    @TempDir
    Path dataDir;
    private final String prefix = ElasticsearchFixture.uniquePrefix("stoplog");

    @AfterEach
    void cleanUp() {
        ElasticsearchFixture.deletePrefix(prefix);
    }

    @Test
    void aStopLogsItsCauseEachRoleAndTheEnd() throws Exception {
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("""
                {"node_id":"stoplog","data_dir":"%s","index_prefix":"%s","shutdown_grace_seconds":1,
                 "gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0},"search":{"host":"127.0.0.1","port":0}}"""
                .formatted(dataDir.toString().replace("\\", "/"), prefix));
        PlatewardenNode node = new PlatewardenNode(config, EnumSet.allOf(Role.class)).start(ElasticsearchFixture.url(), 0);
        List<String> lines;
        try (LogCapture log = new LogCapture()) {
            node.stop("SIGTERM");
            lines = log.lines();
        }

        int begun = indexOf(lines, "INFO org.platewarden.app.PlatewardenNode - stopping Platewarden (SIGTERM; roles gateway, indexer, search)");
        int gateway = indexOf(lines, "INFO org.platewarden.app.RoleStops - gateway stopped in ");
        int indexer = indexOf(lines, "INFO org.platewarden.app.RoleStops - indexer stopped in ");
        int search = indexOf(lines, "INFO org.platewarden.app.RoleStops - search API stopped in ");
        int stopped = indexOf(lines, "INFO org.platewarden.app.PlatewardenNode - Platewarden stopped in ");
        assertTrue(begun < gateway && begun < indexer && begun < search, String.join("\n", lines));
        assertTrue(stopped > gateway && stopped > indexer && stopped > search, String.join("\n", lines));
        assertEquals(lines.size() - 1, lastIndexOfAny(lines), "the stopped line is the stop's last: " + String.join("\n", lines));
    }

    /** The line holding {@code text}; fails when none does. */
    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) return i;
        }
        throw new AssertionError("no line with '" + text + "' in:\n" + String.join("\n", lines));
    }

    private static int lastIndexOfAny(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains("Platewarden stopped in ")) return i;
        }
        return -1;
    }
}
