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
import java.util.concurrent.atomic.AtomicBoolean;
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
 * a node killed after it answered is started again, on the same port, and not after a stop; so is
 * one that exits before it ever answered (a failed bootstrap check) or never opens its HTTP port
 * (killed after its start timeout), unless its owner does not restart failed starts; the console log
 * of starts that keep failing, and of a node that runs and keeps logging, stays bounded; under root, a start hands the service user only what is
 * not its yet.
 * {@code EmbeddedElasticsearchRestartIT} (app) shows the first two on the real distribution.
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
    void aNodeOutOfMemoryDumpsItsHeapToOneFixedFileBesideTheConsoleLog() throws Exception {
        // the stand-in shows the JVM options it was given, as the real launcher would apply them after jvm.options
        EmbeddedElasticsearch node = node("echo \"opts: $ES_JAVA_OPTS\"; exec sleep 600");
        node.launch();
        await(() -> {
            try {
                return Files.readString(node.logFile()).contains("opts: ");
            } catch (IOException notYet) {
                return false;
            }
        }, "the stand-in wrote its options");
        String line = Files.readAllLines(node.logFile()).stream().filter(l -> l.startsWith("opts: ")).findFirst().orElseThrow();
        String path = line.substring(line.indexOf("-XX:HeapDumpPath=") + "-XX:HeapDumpPath=".length());
        assertFalse(path.contains(" "), line);
        // relative to the node's working directory, its home (the data directory may have blanks; the options are split at them)
        assertEquals(node.logFile().resolveSibling("elasticsearch-heap.hprof").toAbsolutePath().normalize(),
                home().resolve(path).toAbsolutePath().normalize(), line);
        assertEquals(node.heapDumpFile(), node.logFile().resolveSibling("elasticsearch-heap.hprof"));
    }

    @Test
    void aNodeKilledAfterItAnsweredIsStartedAgainOnTheSamePortAndNotAfterAStop() throws Exception {
        EmbeddedElasticsearch node = node("exec sleep 600");
        node.launch();
        String url = node.url();
        // scripted: the stand-in serves no HTTP; what counts here is that it answered once
        AtomicBoolean asked = new AtomicBoolean();
        ElasticsearchSupervisor supervisor = supervisor(node, true, () -> {
            asked.set(true);
            return true;
        }, () -> false, Duration.ofSeconds(60));
        supervisor.start();
        await(asked::get, "the supervisor saw it answer");

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
    void aNodeThatExitsBeforeItEverAnsweredIsStartedAgainWithBackOffOnTheSameDataAndPortUntilItAnswers() throws Exception {
        // runs 1 and 2 fail as a bootstrap check does; run 3 "answers" (a marker the scripted health check reads)
        EmbeddedElasticsearch node = node(COUNT_RUNS + "if [ $n -le 2 ]; then echo 'bootstrap check failure [1] of [1]: fake'; exit 78; fi;"
                + " touch answered; exec sleep 600");
        Path data = Files.createDirectories(dir.resolve("es").resolve("data"));
        Files.writeString(data.resolve("kept"), "the node's data");
        Path answered = home().resolve("answered");
        ElasticsearchSupervisor supervisor = supervisor(node, true, () -> node.isRunning() && Files.exists(answered), () -> false,
                Duration.ofSeconds(60));
        long started = System.nanoTime();
        supervisor.start();
        await(() -> node.pid() > 0, "launched");
        String url = node.url();
        List<ElasticsearchSupervisor.Failure> seen = new ArrayList<>();
        await(() -> {
            ElasticsearchSupervisor.Failure f = supervisor.failure();
            if (f != null && !seen.contains(f)) seen.add(f);
            return runs() == 3 && supervisor.failure() == null && supervisor.restarts() == 2;
        }, "started a third time, which answers");

        assertTrue(node.isRunning());
        assertEquals(url, node.url(), "on the same port each time");
        assertEquals("the node's data", Files.readString(data.resolve("kept")), "its data is left as it was");
        assertEquals(List.of(1, 2), seen.stream().map(ElasticsearchSupervisor.Failure::inARow).toList(), "each failure in a row, noted: " + seen);
        assertEquals("exited with code 78 before it answered", seen.get(1).cause());
        assertEquals(2_000, Duration.between(seen.get(1).at(), seen.get(1).next()).toMillis(), "the back-off doubles");
        // not started again at once: after the back-off, 1 s then 2 s
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) >= 3_000, "started again without the back-off");
        assertFalse(supervisor.gaveUp());
        String log = Files.readString(node.logFile());
        assertEquals(2, log.split("bootstrap check failure", -1).length - 1, "each start's output is kept in its log: " + log);
    }

    @Test
    void aNodeThatDoesNotOpenItsHttpPortWithinItsStartTimeoutIsKilledAndStartedAgain() throws Exception {
        EmbeddedElasticsearch node = node(COUNT_RUNS + "exec sleep 600", Duration.ofSeconds(2));
        ElasticsearchSupervisor supervisor = new ElasticsearchSupervisor(node, true); // its real health and port checks
        toClose.add(supervisor);
        supervisor.start();
        await(() -> runs() == 1 && node.pid() > 0, "launched");
        long first = node.pid();
        String url = node.url();

        await(() -> supervisor.restarts() == 1 && node.isRunning() && node.pid() != first && runs() == 2, "killed and started again");
        assertFalse(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false), "the hung start was killed");
        assertEquals(url, node.url());
        assertTrue(supervisor.failure().cause().startsWith("did not open its HTTP port within 2 s of its start"), supervisor.failure().cause());
    }

    @Test
    void aNodeThatListensButIsNotYetHealthyIsLeftToRecoverPastItsStartTimeout() throws Exception {
        EmbeddedElasticsearch node = node(COUNT_RUNS + "exec sleep 600");
        // scripted: its HTTP port is open, its health not yet yellow (recovering its shards)
        ElasticsearchSupervisor supervisor = supervisor(node, true, () -> false, () -> true, Duration.ofMillis(500));
        supervisor.start();
        await(() -> node.pid() > 0, "launched");
        long pid = node.pid();
        Thread.sleep(3 * ElasticsearchSupervisor.POLL_MS + 500);
        assertEquals(pid, node.pid(), "not killed");
        assertTrue(node.isRunning());
        assertEquals(0, supervisor.restarts());
        assertEquals(null, supervisor.failure());
    }

    @Test
    void aStopDuringTheBackOffOrARestartsBootStartsNothingMoreAndKillsTheBootingNode() throws Exception {
        Path trapped = Path.of(System.getProperty("java.io.tmpdir"), "pw-trap-" + java.util.UUID.randomUUID());
        toClose.add(() -> Files.deleteIfExists(trapped));
        // run 1 exits at once; run 2 boots and, as the Elasticsearch CLI does until booted, ignores SIGTERM
        EmbeddedElasticsearch node = node(COUNT_RUNS + "if [ $n -eq 1 ]; then exit 1; fi; trap '' TERM; touch " + trapped
                + "; while :; do sleep 1; done");
        ElasticsearchSupervisor supervisor = supervisor(node, true, () -> false, () -> false, Duration.ofSeconds(60));
        supervisor.start();
        await(() -> Files.exists(trapped), "started again after its failed start, and booting");
        ProcessHandle booting = ProcessHandle.of(node.pid()).orElseThrow();

        supervisor.close();
        node.stop();
        assertFalse(booting.isAlive(), "the booting node was killed");
        assertFalse(node.isRunning());
        Thread.sleep(ElasticsearchSupervisor.FIRST_DELAY_MS * 3);
        assertEquals(2, runs(), "nothing started after the stop");
    }

    @Test
    void aStopDuringTheBackOffEndsIt() throws Exception {
        EmbeddedElasticsearch node = node(COUNT_RUNS + "exit 1");
        ElasticsearchSupervisor supervisor = supervisor(node, true, () -> false, () -> false, Duration.ofSeconds(60));
        supervisor.start();
        await(() -> supervisor.failure() != null && supervisor.failure().inARow() == 3, "in the back-off after its third failed start");
        int runs = runs();
        supervisor.close();
        node.stop();
        // the back-off after a third failure is 4 s: a supervisor not woken by the stop would start it again after it
        Thread.sleep(ElasticsearchSupervisor.delayAfter(3) + 1_000);
        assertEquals(runs, runs(), "nothing started after the stop");
        assertFalse(node.isRunning());
    }

    @Test
    void anOwnerThatDoesNotRestartFailedStartsIsToldWhyAndNothingIsStartedAgain() throws Exception {
        EmbeddedElasticsearch node = node(COUNT_RUNS + "exit 78");
        ElasticsearchSupervisor supervisor = supervisor(node, false, () -> false, () -> false, Duration.ofSeconds(60));
        supervisor.start();
        await(supervisor::gaveUp, "it gave up");
        assertEquals("exited with code 78 before it answered", supervisor.failure().cause());
        Thread.sleep(ElasticsearchSupervisor.FIRST_DELAY_MS + 1_000);
        assertEquals(1, runs());
        assertEquals(0, supervisor.restarts());
    }

    /** The owner's health check saw it answer before the supervisor's did: its exit right after is a death, restarted. */
    @Test
    void anExitRightAfterTheOwnerSawItAnswerIsRestartedEvenByAnOwnerThatDoesNotRestartFailedStarts() throws Exception {
        EmbeddedElasticsearch node = node(COUNT_RUNS + "exec sleep 600");
        ElasticsearchSupervisor supervisor = supervisor(node, false, () -> false, () -> false, Duration.ofSeconds(60));
        supervisor.start();
        await(() -> node.pid() > 0, "launched");
        long first = node.pid();
        supervisor.answered();
        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        await(() -> supervisor.restarts() == 1 && node.isRunning() && runs() == 2, "it was started again");
        assertFalse(supervisor.gaveUp());
    }

    @Test
    void theConsoleLogOfStartsThatKeepFailingStaysBoundedWithTheLatestStartsOutputQuotedInItsFailure() throws Exception {
        long limit = 64 * 1024;
        // each start writes ~45 KB (its start-up output and stack traces), then fails as a bootstrap check does
        String script = COUNT_RUNS + "i=0; while [ $i -lt 400 ]; do echo \"start $n: at org.elasticsearch.bootstrap.Elasticsearch.init"
                + "(Elasticsearch.java:$i) ................................................\"; i=$((i+1)); done;"
                + " echo \"bootstrap check failure in start $n\"; exit 78";
        long oneStart = 0;
        for (int start = 1; start <= 8; start++) {
            // a start that fails, again and again, on the same data directory
            EmbeddedElasticsearch node = node(script, Duration.ofSeconds(10), limit);
            IOException failed = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, node::start);
            assertTrue(failed.getMessage().contains("exited with code 78 during start-up"), failed.getMessage());
            assertTrue(failed.getMessage().contains("bootstrap check failure in start " + start + "\n")
                    || failed.getMessage().endsWith("bootstrap check failure in start " + start), "the failure quotes this start's output: "
                    + failed.getMessage());
            String log = Files.readString(node.logFile());
            assertTrue(log.contains("bootstrap check failure in start " + start), "the log being written has this start's output");
            if (start == 1) oneStart = Files.size(node.logFile());
            Path logs = node.logFile().getParent();
            long current = Files.size(node.logFile());
            assertTrue(current <= limit + oneStart, "start " + start + ": " + current + " bytes, over the limit and one start");
            try (var files = Files.list(logs)) {
                List<String> consoleLogs = files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("elasticsearch-console.log"))
                        .sorted().toList();
                assertTrue(consoleLogs.equals(List.of("elasticsearch-console.log")) || consoleLogs.equals(List.of("elasticsearch-console.log",
                        "elasticsearch-console.log.1")), "at most the log and one older: " + consoleLogs);
                if (consoleLogs.size() == 2) {
                    long previous = Files.size(logs.resolve("elasticsearch-console.log.1"));
                    assertTrue(previous <= limit + oneStart, "the older log: " + previous + " bytes");
                }
            }
            node.close();
        }
        assertEquals(8, runs());
        assertTrue(oneStart > 40_000, "each start wrote its ~45 KB: " + oneStart);
        String previous = Files.readString(home().getParent().getParent().resolve("logs").resolve("elasticsearch-console.log.1"));
        assertTrue(previous.contains("bootstrap check failure in start 6"), "the older log has the starts before: the latest moved there");
    }

    @Test
    void theConsoleLogOfANodeThatRunsAndKeepsLoggingStaysBoundedWhileItRuns() throws Exception {
        long limit = 64 * 1024;
        // a node that answers and keeps logging (~40 KB a second), numbering its lines
        EmbeddedElasticsearch node = node("i=0; while :; do j=0; while [ $j -lt 100 ]; do i=$((i+1)); j=$((j+1)); echo \"line $i:"
                + " [INFO ][o.e.c.m.MetadataCreateIndexService] [platewarden-embedded] creating index ......................\"; done;"
                + " sleep 0.25; done", Duration.ofSeconds(10), limit);
        ElasticsearchSupervisor supervisor = supervisor(node, true, () -> true, () -> true, Duration.ofSeconds(60));
        supervisor.start();
        await(() -> node.pid() > 0, "launched");
        long pid = node.pid();
        Path previous = node.logFile().resolveSibling("elasticsearch-console.log.1");
        await(() -> Files.exists(previous), "the log over its limit was copied aside");
        long lastBefore = lastLineNumber(Files.readString(previous));
        // the node goes on writing into the emptied log, from its start
        await(() -> {
            try {
                return lastLineNumber(Files.readString(node.logFile())) > lastBefore;
            } catch (IOException e) {
                return false;
            }
        }, "later lines in the emptied log");
        String current = Files.readString(node.logFile());
        assertTrue(current.startsWith("line ") && current.indexOf('\0') < 0, "written from the emptied log's start, no hole: "
                + current.substring(0, Math.min(200, current.length())));
        for (int i = 0; i < 3; i++) {
            Thread.sleep(ElasticsearchSupervisor.CONSOLE_LOG_CHECK_MS);
            long size = Files.size(node.logFile());
            // the limit plus what it writes between two checks (~40 KB a second)
            assertTrue(size <= limit + 400 * 1024, "the running node's console log: " + size + " bytes");
            assertTrue(Files.size(previous) <= limit + 400 * 1024, "its copy: " + Files.size(previous) + " bytes");
        }
        assertEquals(pid, node.pid(), "the node ran on throughout");
        assertEquals(0, supervisor.restarts());
    }

    private static long lastLineNumber(String log) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("line (\\d+):").matcher(log);
        long last = -1;
        while (m.find()) last = Long.parseLong(m.group(1));
        return last;
    }

    @Test
    void aStartAsRootGivesTheServiceUserOnlyWhatIsNotItsYetAndLeavesWhatIsUntouched() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(EmbeddedElasticsearch.isRoot(), "the node runs as its own user only under root");
        EmbeddedElasticsearch node = node(COUNT_RUNS + "exit 78");
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, node::start);
        node.close();
        Path data = dir.resolve("es").resolve("data");
        Path owned = data.resolve("segment-already-owned");
        Files.writeString(owned, "the node's data");
        var users = owned.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(owned, users.lookupPrincipalByName(EmbeddedElasticsearch.SERVICE_USER));
        Files.getFileAttributeView(owned, java.nio.file.attribute.PosixFileAttributeView.class)
                .setGroup(users.lookupPrincipalByGroupName(EmbeddedElasticsearch.SERVICE_USER));
        Path restored = data.resolve("restored-by-root"); // as an operator mending the cause might leave it
        Files.writeString(restored, "restored");
        Object ownedChanged = Files.getAttribute(owned, "unix:ctime");
        Thread.sleep(20); // a chown of it would give it a later change time

        EmbeddedElasticsearch again = node(COUNT_RUNS + "exit 78");
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, again::start);
        assertEquals(EmbeddedElasticsearch.SERVICE_USER, Files.getOwner(restored).getName(), "what root put there is handed over");
        assertEquals(ownedChanged, Files.getAttribute(owned, "unix:ctime"), "what the user already owned is not written again");
        assertEquals(2, runs());
    }

    @Test
    void theBackOffDoublesFromOneSecondToThirty() {
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L),
                List.of(1, 2, 3, 4, 5, 6, 100).stream().map(ElasticsearchSupervisor::delayAfter).toList());
    }

    /** Counts the stand-in's runs in a file in its home (its working directory, which it owns also when it runs as the service user). */
    private static final String COUNT_RUNS = "n=$(cat runs 2>/dev/null || echo 0); n=$((n+1)); echo $n > runs; ";

    /** How many times the stand-in ran; -1 while it writes the count. */
    private int runs() {
        Path runs = home().resolve("runs");
        try {
            return Files.exists(runs) ? Integer.parseInt(Files.readString(runs).trim()) : 0;
        } catch (IOException | NumberFormatException beingWritten) {
            return -1;
        }
    }

    private Path home() {
        return dir.resolve("es").resolve("dist").resolve("fake-elasticsearch");
    }

    private ElasticsearchSupervisor supervisor(EmbeddedElasticsearch node, boolean restartFailedStarts, BooleanSupplier answers,
                                               BooleanSupplier listens, Duration bootTimeout) {
        ElasticsearchSupervisor supervisor = new ElasticsearchSupervisor(node, restartFailedStarts, answers, listens, bootTimeout);
        toClose.add(supervisor);
        return supervisor;
    }

    private EmbeddedElasticsearch node(String script) throws IOException {
        return node(script, Duration.ofSeconds(10));
    }

    /** A node whose distribution's {@code bin/elasticsearch} runs {@code script} (sh). */
    private EmbeddedElasticsearch node(String script, Duration startTimeout) throws IOException {
        return node(script, startTimeout, ConsoleLog.DEFAULT_LIMIT_BYTES);
    }

    private EmbeddedElasticsearch node(String script, Duration startTimeout, long consoleLogLimit) throws IOException {
        Path zip = dir.resolve("fake-elasticsearch.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("fake-elasticsearch/config/"));
            out.closeEntry();
            out.putNextEntry(new ZipEntry("fake-elasticsearch/bin/elasticsearch"));
            out.write(("#!/bin/sh\n" + script + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        EmbeddedElasticsearch node = new EmbeddedElasticsearch(new EmbeddedElasticsearch.Settings(zip, dir.resolve("es"), 0, "64m",
                startTimeout), consoleLogLimit);
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
