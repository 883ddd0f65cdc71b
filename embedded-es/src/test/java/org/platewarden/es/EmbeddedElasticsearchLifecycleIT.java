package org.platewarden.es;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The node's lifecycle itself, which the shared test node cannot show: a JVM that started the
 * embedded Elasticsearch is killed with SIGKILL (no shutdown hook runs), and no Elasticsearch process
 * may survive it. This is the one test that starts a second node, deliberately: it must kill it.
 */
class EmbeddedElasticsearchLifecycleIT {

    @Test
    void sigkillOfTheOwningJvmLeavesNoElasticsearchBehind() throws Exception {
        String zip = System.getProperty("platewarden.es.zip");
        Assumptions.assumeTrue(zip != null && Path.of(zip).toFile().isFile(), "distribution zip not resolved by this build");
        Path base = Path.of("target", "lifecycle-es").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process owner = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                EmbeddedElasticsearch.class.getName(), zip, base.toString(), "0", "512m")
                .redirectErrorStream(true).start();
        try {
            String url = awaitUrl(owner);
            assertTrue(EmbeddedElasticsearch.healthy(url), "node answers at " + url);
            List<ProcessHandle> nodeProcesses = owner.descendants().toList();
            assertFalse(nodeProcesses.isEmpty(), "Elasticsearch runs as a child of the owning JVM");
            // a session of its own: a Ctrl-C in the owner's terminal reaches only the owner, which
            // stops Elasticsearch after its own requests under way are answered
            String ownerSession = sessionOf(owner.pid());
            for (ProcessHandle p : nodeProcesses) {
                assertFalse(ownerSession.equals(sessionOf(p.pid())), "process " + p.pid() + " is in its owner's session " + ownerSession);
            }

            owner.destroyForcibly(); // SIGKILL
            owner.waitFor(10, TimeUnit.SECONDS);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && nodeProcesses.stream().anyMatch(ProcessHandle::isAlive)) {
                Thread.sleep(250);
            }
            assertTrue(nodeProcesses.stream().noneMatch(ProcessHandle::isAlive),
                    "Elasticsearch outlived its owner: " + nodeProcesses.stream().filter(ProcessHandle::isAlive).toList());
            assertFalse(EmbeddedElasticsearch.healthy(url), "nothing answers at " + url + " any more");
        } finally {
            owner.descendants().forEach(ProcessHandle::destroyForcibly);
            owner.destroyForcibly();
        }
    }

    /** The session id: the sixth field of /proc/PID/stat, counted after the command name's closing parenthesis. */
    private static String sessionOf(long pid) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3];
    }

    private static String awaitUrl(Process owner) throws Exception {
        CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
                StringBuilder seen = new StringBuilder();
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("ES_URL=")) return line.substring("ES_URL=".length());
                    seen.append(line).append('\n');
                }
                throw new IllegalStateException("launcher exited without a URL:\n" + seen);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return url.get(180, TimeUnit.SECONDS);
    }
}
