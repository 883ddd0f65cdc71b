package org.platewarden.es;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle rules that need no real node, on stand-in distributions whose {@code bin/elasticsearch}
 * is a shell script: a stop of a node still booting that ignores SIGTERM (as the Elasticsearch CLI
 * does until its server has booted) kills it after {@link EmbeddedElasticsearch#BOOT_STOP_GRACE};
 * a node killed after it answered is started again, on the same port, and not after a stop.
 * {@code EmbeddedElasticsearchRestartIT} (app) shows both on the real distribution.
 */
class EmbeddedElasticsearchSupervisionTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    @Test
    void aStopWhileItBootsTriesSigtermThenKillsItAfterTheBootGrace() throws Exception {
        // the marker says the trap is set: a SIGTERM sent before the shell got that far would end it at once
        // (/tmp: the stand-in may run as the unprivileged user the node runs as under root)
        Path trapped = Path.of(System.getProperty("java.io.tmpdir"), "pw-trap-" + java.util.UUID.randomUUID());
        toClose.add(() -> Files.deleteIfExists(trapped));
        EmbeddedElasticsearch node = node("trap '' TERM; touch " + trapped + "; while :; do sleep 1; done");
        node.launch();
        ProcessHandle child = ProcessHandle.of(node.pid()).orElseThrow();
        await(() -> Files.exists(trapped), "the stand-in set its SIGTERM trap");

        long started = System.nanoTime();
        node.stop();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertFalse(child.isAlive(), "killed");
        assertFalse(node.isRunning());
        // graceful first: SIGTERM, and the boot grace to act on it; then killed, not after the running node's grace
        assertTrue(tookMillis >= EmbeddedElasticsearch.BOOT_STOP_GRACE.toMillis(), "killed before the boot grace: " + tookMillis + " ms");
        assertTrue(tookMillis < EmbeddedElasticsearch.STOP_GRACE.toMillis(), "a booting node was given the running node's grace: " + tookMillis + " ms");
    }

    @Test
    void aNodeKilledAfterItAnsweredIsStartedAgainOnTheSamePortAndNotAfterAStop() throws Exception {
        EmbeddedElasticsearch node = node("exec sleep 600");
        node.launch();
        String url = node.url();
        // scripted: the stand-in serves no HTTP; what counts here is that it answered once
        ElasticsearchSupervisor supervisor = supervisor(node, () -> true);
        supervisor.start();
        await(supervisor::supervising, "the supervisor saw it answer");

        long first = node.pid();
        ProcessHandle.of(first).orElseThrow().destroyForcibly(); // SIGKILL
        await(() -> supervisor.restarts() == 1 && node.isRunning(), "it was started again");
        assertNotEquals(first, node.pid());
        assertEquals(url, node.url(), "on the same port: the node's clients keep their URL");

        long second = node.pid();
        supervisor.close();
        node.stop();
        assertFalse(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(node.relaunch(), "nothing is started after a stop");
        assertEquals(1, supervisor.restarts());
    }

    @Test
    void theBackOffDoublesFromOneSecondToThirty() {
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L),
                List.of(1, 2, 3, 4, 5, 6, 100).stream().map(ElasticsearchSupervisor::delayAfter).toList());
    }

    private ElasticsearchSupervisor supervisor(EmbeddedElasticsearch node, BooleanSupplier answers) {
        ElasticsearchSupervisor supervisor = new ElasticsearchSupervisor(node, answers);
        toClose.add(supervisor);
        return supervisor;
    }

    /** A node whose distribution's {@code bin/elasticsearch} runs {@code script} (sh). */
    private EmbeddedElasticsearch node(String script) throws IOException {
        Path zip = dir.resolve("fake-elasticsearch.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("fake-elasticsearch/config/"));
            out.closeEntry();
            out.putNextEntry(new ZipEntry("fake-elasticsearch/bin/elasticsearch"));
            out.write(("#!/bin/sh\n" + script + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        EmbeddedElasticsearch node = new EmbeddedElasticsearch(new EmbeddedElasticsearch.Settings(zip, dir.resolve("es"), 0, "64m",
                Duration.ofSeconds(10)));
        toClose.add(node);
        return node;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError(what + ": not within 30 s");
            Thread.sleep(50);
        }
    }
}
