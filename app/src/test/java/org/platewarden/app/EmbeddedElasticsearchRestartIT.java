package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.app.NodeHttp.get;
import static org.platewarden.app.NodeHttp.ingest;
import static org.platewarden.app.NodeHttp.metric;
import static org.platewarden.app.NodeHttp.search;
import static org.platewarden.app.NodeHttp.searchUntilFound;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.es.EmbeddedElasticsearch;

/**
 * The embedded Elasticsearch of a running node, as ops meet it: killed (SIGKILL, as the kernel's
 * out-of-memory killer does), it is started again by itself and answers again — meanwhile reads
 * are acknowledged into the spool and searches fail closed (503), and afterwards every read is
 * found; and a stop while it boots ends it within the boot grace, not after it booted.
 * <p>
 * It kills its node, so it starts one of its own from the real distribution (never the shared test
 * node): one node, booted twice in full and a third time in part, in the order of the methods.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedElasticsearchRestartIT {
    private static final String SERVER_MAIN = "org.elasticsearch.server/org.elasticsearch.bootstrap.Elasticsearch";
    private static final String RESTARTS = "platewarden_embedded_elasticsearch_restarts_total";

    @TempDir
    static Path dataDir;
    private static PlatewardenNode node;
    /** the argument every process of this node's Elasticsearch (its CLI and its server JVM) carries */
    private static String homeArgument;

    @BeforeAll
    static void startNode() throws Exception {
        String zip = System.getProperty("platewarden.es.zip");
        Assumptions.assumeTrue(zip != null && Path.of(zip).toFile().isFile(), "distribution zip not resolved by this build");
        homeArgument = "-Des.path.home=" + dataDir.toAbsolutePath().resolve("elasticsearch").resolve("dist")
                .resolve(Path.of(zip).getFileName().toString().replace(".zip", ""));
        // no search rate limit: the test polls searches until they fail closed, and until they answer again
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("""
                {"node_id":"esrestart","data_dir":"%s","shutdown_grace_seconds":0,
                 "gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0},
                 "search":{"host":"127.0.0.1","port":0,"rate_limit_per_minute":0},
                 "indexer":{"bulk_max_wait_ms":50}}""".formatted(dataDir.toString().replace("\\", "/")));
        String heap = System.getProperty("platewarden.es.heap");
        System.setProperty("platewarden.es.heap", "512m");
        try {
            node = new PlatewardenNode(config, EnumSet.allOf(Role.class)).open(null, 0); // no ES_URL: the embedded node, on a free port
        } finally {
            if (heap == null) System.clearProperty("platewarden.es.heap");
            else System.setProperty("platewarden.es.heap", heap);
        }
        node.elasticsearchRoles().get(5, TimeUnit.MINUTES);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) node.close();
    }

    @Test
    @Order(1)
    void aKilledNodeIsStartedAgainAndNothingAcknowledgedIsLost() throws Exception {
        assertTrue(node.embeddedElasticsearch());
        assertEquals(0.0, metric(node.gatewayHttpPort(), RESTARTS));
        assertEquals(202, ingest(node, "cam-001", read("cam-001", "EMR 1001")).statusCode());
        searchUntilFound(node, "EMR1001");

        ProcessHandle server = single(processes(SERVER_MAIN));
        server.destroyForcibly(); // SIGKILL, as the out-of-memory killer sends
        server.onExit().get(30, TimeUnit.SECONDS);

        // reads are still acknowledged (into the spool), and searches fail closed until it answers again
        assertEquals(202, ingest(node, "cam-002", read("cam-002", "EMR 1002")).statusCode());
        await(() -> search(node, "EMR1001").statusCode() == 503, 60, "a search fails closed (503) while Elasticsearch is down");
        await(() -> get(node.searchPort(), "/health/ready", null).statusCode() == 503, 60, "8081 is not ready while it is down");

        await(() -> metric(node.gatewayHttpPort(), RESTARTS) == 1.0, 90, "the node is started again, and counted");
        await(() -> search(node, "EMR1001").statusCode() == 200, 240, "searches answer again once it answers");
        assertEquals("cam-002", searchUntilFound(node, "EMR1002").getString("camera_id"), "the read taken meanwhile is indexed");
        assertEquals("cam-001", searchUntilFound(node, "EMR1001").getString("camera_id"), "the read from before is still there");
        assertEquals(200, get(node.searchPort(), "/health/ready", null).statusCode());
        assertEquals(1.0, metric(node.gatewayHttpPort(), RESTARTS));
    }

    @Test
    @Order(2)
    void aStopWhileItBootsEndsItWithinTheBootGrace() throws Exception {
        // the CLI this JVM started, this time: its server JVM, left without it, is killed before the restart
        ProcessHandle cli = single(ProcessHandle.current().children().filter(p -> hasArgument(p, homeArgument)).toList());
        cli.destroyForcibly();
        await(() -> metric(node.gatewayHttpPort(), RESTARTS) == 2.0, 90, "the node is started again");
        await(() -> !processes(SERVER_MAIN).isEmpty(), 60, "the restarted node's server JVM boots");
        assertFalse(EmbeddedElasticsearch.healthy(node.elasticsearchUrl()), "still booting: it does not answer yet");

        long started = System.nanoTime();
        node.close();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        // it boots for 30-40 s and its CLI passes a SIGTERM on only once booted: the stop kills it after the boot grace
        assertTrue(tookMillis < EmbeddedElasticsearch.STOP_GRACE.toMillis(), "the stop took " + tookMillis + " ms");
        assertEquals(List.of(), processes(null).stream().filter(ProcessHandle::isAlive).toList(), "no Elasticsearch process outlives the stop");
    }

    private static String read(String camera, String plate) {
        return "{\"camera_id\":\"" + camera + "\",\"captured_at\":\"" + Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS)
                + "\",\"plate\":\"" + plate + "\"}";
    }

    /** This node's Elasticsearch processes (any, or those with {@code argument} too): they name its home. */
    private static List<ProcessHandle> processes(String argument) {
        return ProcessHandle.allProcesses().filter(p -> hasArgument(p, homeArgument) && (argument == null || hasArgument(p, argument))).toList();
    }

    private static boolean hasArgument(ProcessHandle p, String argument) {
        return p.info().arguments().map(args -> Arrays.asList(args).contains(argument)).orElse(false);
    }

    private static ProcessHandle single(List<ProcessHandle> found) {
        assertEquals(1, found.size(), "processes: " + found);
        return found.get(0);
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Check check, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError(what + ": not within " + seconds + " s");
            Thread.sleep(500); // not faster: each search polled while Elasticsearch is down leaves an audit record to catch up
        }
    }
}
