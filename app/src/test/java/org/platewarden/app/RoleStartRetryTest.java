package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.PlatewardenConfig;

class RoleStartRetryTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void theBackOffDoublesFromFiveSecondsToAMinute() {
        long[] expected = {5_000, 10_000, 20_000, 40_000, 60_000, 60_000};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], RoleStartRetry.delayAfter(i + 1, RoleStartRetry.FIRST_DELAY_MS, RoleStartRetry.MAX_DELAY_MS));
        }
        assertEquals(60_000, RoleStartRetry.delayAfter(Integer.MAX_VALUE, RoleStartRetry.FIRST_DELAY_MS, RoleStartRetry.MAX_DELAY_MS));
    }

    @Test
    void readinessSaysWhatFailedWhyAndWhenTheNextAttemptIsUntilTheRolesRun() {
        RoleStartRetry retry = new RoleStartRetry(registry, EnumSet.allOf(Role.class), 5_000, 60_000);
        assertNull(retry.failure());
        retry.count(Role.SEARCH);
        long delay = retry.failed("the search API could not start", "IOException: refused", Instant.parse("2026-11-25T07:00:00.250Z"));
        assertEquals(5_000, delay);
        assertEquals("the search API could not start (attempt 1 failed at 2026-11-25T07:00:00Z: IOException: refused; the node's log says more);"
                + " the start is retried", retry.failure());
        assertEquals("next attempt at 2026-11-25T07:00:05Z", retry.nextAttempt());
        assertEquals(10_000, retry.failed("the search API could not start", "IOException: refused", Instant.parse("2026-11-25T07:00:05Z")));
        assertEquals(2, retry.attempts());
        retry.succeeded();
        assertNull(retry.failure());
        assertEquals(1.0, registry.get("platewarden.node.role.start.failures").tag("role", "search").counter().count());
        assertEquals(0.0, registry.get("platewarden.node.role.start.failures").tag("role", "indexer").counter().count(),
                "each role's counter exists from the start, at 0");
        assertTrue(registry.find("platewarden.node.role.start.failures").tag("role", "gateway").counters().isEmpty(), "the gateway needs no Elasticsearch");
    }

    @Test
    void thePublicDescriptionNeverSaysWhereElasticsearchIs() {
        PlatewardenConfig config = PlatewardenConfig.demoConfig();
        String url = "https://elastic:secret@es-7.city.internal:9243";
        Exception answered = new ExecutionException(new IllegalStateException("method [PUT], host [" + url + "], URI [/pw-audit],"
                + " status line [HTTP/1.1 429 Too Many Requests]\n{\"error\":\"es_rejected_execution_exception\"} from es-7.city.internal:9243",
                new IOException("x")));
        String text = StartupFailure.describePublicly(answered, config, url);
        assertFalse(text.contains("es-7.city.internal") || text.contains("9243") || text.contains("secret"), text);
        assertFalse(text.contains("\n"), text);
        assertTrue(text.contains("429 Too Many Requests") && text.contains("es_rejected_execution_exception"), text);
        String unknown = StartupFailure.describePublicly(new UnknownHostException("es-7.city.internal"), config, url);
        assertEquals("UnknownHostException: Elasticsearch", unknown);
        // the host inside other words stays as it is
        String words = StartupFailure.describePublicly(new IOException("test messages"), config, "http://es:9200");
        assertEquals("IOException: test messages", words);
        String journal = config.dataPath().toAbsolutePath().normalize().resolve("audit/audit-node-1.ndjson").toString();
        String locked = StartupFailure.describePublicly(new IOException("the audit journal " + journal + " is held by another writer"), config, url);
        assertEquals("IOException: the audit journal <data_dir>/audit/audit-node-1.ndjson is held by another writer", locked);
        String relative = StartupFailure.describePublicly(new IOException("metadata in " + config.dataPath().resolve("audit") + " unreadable"), config, url);
        assertEquals("IOException: metadata in <data_dir>/audit unreadable", relative);
        String longer = StartupFailure.describePublicly(new IOException("x".repeat(1_000)), config, url);
        assertEquals(StartupFailure.PUBLIC_MAX_CHARS, longer.length());
    }

    /** The embedded node's failed start, as readiness gives it: its port (a launch refused on it) and the data directory's path are left out. */
    @Test
    void aFailedStartOfTheEmbeddedNodeIsMadePublicWithoutItsPortOrPaths() {
        PlatewardenConfig config = PlatewardenConfig.demoConfig();
        String base = config.dataPath().toAbsolutePath().normalize().resolve("elasticsearch").toString();
        assertEquals("could not be started: port in use: its port on Elasticsearch is already in use; <data_dir>/elasticsearch/dist unwritable",
                StartupFailure.publicly("could not be started: port in use: port 9200 on 127.0.0.1 is already in use; " + base + "/dist unwritable",
                        config, "http://127.0.0.1:9200"));
        assertEquals("exited with code 78 before it answered", StartupFailure.publicly("exited with code 78 before it answered", config,
                "http://127.0.0.1:9200"));
    }
}
