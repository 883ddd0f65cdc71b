package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.spool.SegmentedSpool;

/**
 * A node's start-up retention pass retires the spool segment whose reads were all indexed before
 * the restart: the checkpoint deletes only segments with a newer one after them, so a quiet node
 * kept its one segment, plates and all, past the reads' 21 days.
 */
class SpoolRetirementNodeTest {
    @TempDir
    Path dataDir;

    @Test
    void aNodeStartingOnASpoolOfIndexedReadsDeletesTheirSegment() throws Exception {
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("""
                {"node_id":"node-1","data_dir":"%s","es_url":"",
                 "gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0},"search":{"host":"127.0.0.1","port":0}}"""
                .formatted(dataDir.toString().replace("\\", "/")));
        Path segment;
        try (SegmentedSpool spool = SegmentedSpool.open(dataDir.resolve("spool"), config.spool())) {
            spool.append(List.of("{\"plate\":\"ZQXPRIV1\"}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
            spool.advanceCheckpoint(1); // indexed before the restart
            segment = spool.segmentFiles().get(0);
        }
        assertTrue(Files.exists(segment));

        try (PlatewardenNode node = new PlatewardenNode(config, EnumSet.of(Role.GATEWAY)).open(null, 0)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.exists(segment) && System.nanoTime() < deadline) Thread.sleep(20);
            assertFalse(Files.exists(segment), "the start-up pass deleted the segment of indexed reads");
        }
    }
}
