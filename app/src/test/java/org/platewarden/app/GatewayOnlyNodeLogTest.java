package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.LogCapture;

/**
 * A gateway-only node given an Elasticsearch (ES_URL) was meant to feed it, but its reads stay in its
 * spool while it runs (no indexer can share the spool): behind a load balancer that looked like a
 * working gateway whose reads never became searchable. Its start says so as a warning, with the fix.
 */
class GatewayOnlyNodeLogTest {
    @TempDir
    Path dataDir;

    @Test
    void aGatewayOnlyNodeGivenAnElasticsearchWarnsThatItsReadsAreNotIndexedWhileItRuns() throws Exception {
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("""
                {"node_id":"gwonly","data_dir":"%s","gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0}}"""
                .formatted(dataDir.toString().replace("\\", "/")));
        List<String> lines;
        try (LogCapture log = new LogCapture()) {
            PlatewardenNode node = new PlatewardenNode(config, EnumSet.of(Role.GATEWAY)).start("http://127.0.0.1:9", 0);
            node.close();
            lines = log.lines();
        }
        String expected = "WARN org.platewarden.app.PlatewardenNode - ES_URL / es_url not used: a gateway-only node uses no Elasticsearch;"
                + " the reads it takes wait in its spool (" + dataDir.resolve("spool").toAbsolutePath().normalize() + ") until a node with"
                + " the indexer runs on this data directory";
        assertTrue(lines.stream().anyMatch(l -> l.contains(expected)), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("(--roles gateway,indexer)")), String.join("\n", lines));
    }
}
