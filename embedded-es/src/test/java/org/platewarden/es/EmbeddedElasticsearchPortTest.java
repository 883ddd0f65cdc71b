package org.platewarden.es;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configured port already taken (another Elasticsearch, a Platewarden still running): the node
 * would die binding it while the health check found the other one, and Platewarden ran against a
 * cluster not its own. It is refused before anything starts.
 */
class EmbeddedElasticsearchPortTest {
    @TempDir
    Path base;

    @Test
    void aTakenPortIsRefusedBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            EmbeddedElasticsearch es = new EmbeddedElasticsearch(new EmbeddedElasticsearch.Settings(
                    base.resolve("no-distribution-needed.zip"), base, taken.getLocalPort(), "512m", Duration.ofSeconds(5)));
            IOException refused = assertThrows(IOException.class, es::start);
            assertTrue(refused.getMessage().contains("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use"), refused.getMessage());
            assertFalse(es.isRunning());
        }
    }
}
