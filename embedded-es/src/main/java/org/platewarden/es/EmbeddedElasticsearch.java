package org.platewarden.es;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Elasticsearch distribution published on Maven Central
 * ({@code org.elasticsearch.distribution.integ-test-zip:elasticsearch}) as a child process: a real,
 * single-node, loopback-only node with a bounded heap. Elasticsearch refuses to run as root, so when
 * this JVM is root the node runs as the unprivileged system user {@value #SERVICE_USER} (created on
 * first use). The child gets a parent-death signal, so it stops when this JVM dies even by SIGKILL;
 * {@link #close()} (also registered as a shutdown hook) stops it cleanly on Ctrl-C. An owner that
 * keeps it running through crashes has {@link ElasticsearchSupervisor} {@link #relaunch()} it.
 */
public final class EmbeddedElasticsearch implements AutoCloseable {
    public static final String SERVICE_USER = "platewarden";
    /**
     * The directory under the base directory that is the node's {@code path.repo}: an {@code fs}
     * snapshot repository's location must lie inside it (docs/audit.md, "The audit index").
     */
    public static final String SNAPSHOTS_DIR = "snapshots";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedElasticsearch.class);
    /**
     * How long a stop waits for a node that has answered to stop cleanly after SIGTERM (it flushes,
     * so its next start replays nothing) before it is killed.
     */
    public static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /**
     * How long a stop waits after SIGTERM for a node still booting (not yet answering) before it is
     * killed: its CLI passes the stop on only once the server has booted (30-40 s, minutes while it
     * recovers shards), and a kill then loses nothing (each write is in its translog before it is
     * acknowledged).
     */
    public static final Duration BOOT_STOP_GRACE = Duration.ofSeconds(5);

    private final Settings settings;
    private final ConsoleLog consoleLog;
    private final AtomicReference<Process> process = new AtomicReference<>();
    private Thread shutdownHook;
    private volatile int httpPort;
    /** set by {@link #stop()}: nothing is (re)launched after it */
    private volatile boolean stopped;
    /** whether the process running now has answered a health check: a stop then gives it {@link #STOP_GRACE} */
    private volatile boolean answered;
    /** set by {@link #leaveStopToOwner()}: a launch adds no shutdown hook of its own */
    private boolean ownerStops;
    /** a process {@link #killHung()} killed: its exit is that failure, already logged, not an unexpected one */
    private volatile Process killedHung;

    /**
     * @param distributionZip the zip as resolved by Maven
     * @param baseDir         where the distribution is unpacked and the node keeps data and logs
     * @param httpPort        0 picks a free port
     * @param heap            e.g. {@code 1g}
     * @param startTimeout    how long {@link #start()} waits for yellow/green health; how long
     *                        {@link ElasticsearchSupervisor} gives a (re)started node to open its HTTP port
     */
    public record Settings(Path distributionZip, Path baseDir, int httpPort, String heap, Duration startTimeout) {
    }

    public EmbeddedElasticsearch(Settings settings) {
        this(settings, ConsoleLog.DEFAULT_LIMIT_BYTES);
    }

    /** @param consoleLogLimitBytes over this, the console log is moved aside before the next start ({@link ConsoleLog}) */
    EmbeddedElasticsearch(Settings settings, long consoleLogLimitBytes) {
        this.settings = settings;
        this.httpPort = settings.httpPort();
        this.consoleLog = new ConsoleLog(settings.baseDir().toAbsolutePath().resolve("logs").resolve("elasticsearch-console.log"),
                consoleLogLimitBytes);
    }

    /** Known from construction for a configured port; for port 0, once {@link #launch()} picked one. */
    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The node's console output, the current start's at its end (the one before it over its limit: {@code .1}). */
    public Path logFile() {
        return consoleLog.file();
    }

    /**
     * Where a node that runs out of memory writes its heap dump: one fixed file beside the console log.
     * The distribution's {@code jvm.options} dumps the heap on an out-of-memory error into the working
     * directory under a name of its own per process ({@code java_pid<N>.hprof}), and the supervisor
     * restarts such a node: each restart's next out-of-memory error would leave another dump the size of
     * the heap. With a fixed name the JVM writes none while the file exists, so the first dump is kept
     * for diagnosis and the disk the spool and the audit journal share holds at most one.
     */
    public Path heapDumpFile() {
        return logFile().resolveSibling("elasticsearch-heap.hprof");
    }

    /** Unpacks (once), configures, starts and waits for health. Returns the HTTP URL. */
    public String start() throws IOException, InterruptedException {
        launch();
        waitForHealth();
        LOG.info("Elasticsearch is up at {}", url());
        return url();
    }

    /**
     * Unpacks (once), configures and starts the node, without waiting for it to answer: for an
     * owner that serves meanwhile and polls {@link #url()} itself (Platewarden's gateway takes reads
     * while the node starts), watching {@link #exitCode()}. Returns the HTTP URL. Only this,
     * {@link #relaunch()} and {@link #killHung()} are synchronized with {@link #stop()}: a stop during
     * the wait for health does not wait for it. One that failed (nothing started) may be called again: the port once
     * picked stays. Refused once stopped: nothing is launched after a stop.
     */
    public synchronized String launch() throws IOException, InterruptedException {
        if (stopped) throw new IOException("the embedded Elasticsearch was stopped: nothing is launched after a stop");
        if (process.get() != null) return url();
        // a node already on the port would answer the health check in this one's place, and
        // Platewarden would run against it: refuse first (the new node would only log BindHttpException)
        if (httpPort != 0) requireFree(httpPort);
        else httpPort = freePort();
        startProcess();
        if (!ownerStops) {
            shutdownHook = new Thread(this::stop, "embedded-es-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        return url();
    }

    /**
     * Starts the node again, on the same port and data, after its process exited without
     * {@link #stop()} (for {@link ElasticsearchSupervisor}). What is left of the old one — its
     * server JVM outlives a CLI killed while it booted — is killed first: it holds the data
     * directory's lock. Returns false, starting nothing, once stopped or while the node runs.
     */
    public synchronized boolean relaunch() throws IOException, InterruptedException {
        Process old = process.get();
        if (stopped || old == null || old.isAlive()) return false;
        killLeftovers();
        requireFree(httpPort);
        startProcess();
        return true;
    }

    /** Unpacks (once), configures and starts the process on {@link #httpPort}; under this object's lock. */
    private void startProcess() throws IOException, InterruptedException {
        Path base = settings.baseDir().toAbsolutePath();
        Path home = unpack(settings.distributionZip(), base);
        Path data = Files.createDirectories(base.resolve("data"));
        Path logs = Files.createDirectories(base.resolve("logs"));
        Path tmp = Files.createDirectories(base.resolve("tmp"));
        Path snapshots = Files.createDirectories(base.resolve(SNAPSHOTS_DIR));
        int transportPort = freePort();
        writeConfig(home, data, logs, snapshots, transportPort);

        boolean root = isRoot();
        if (root) {
            ensureServiceUser();
            int handedOver = ServiceUserOwnership.handOver(base, SERVICE_USER);
            if (handedOver > 0) LOG.info("gave {} files and directories under {} to the user {}", handedOver, base, SERVICE_USER);
            makeTraversable(base);
        }
        // bounded before it is opened for this start: a start that keeps failing is tried every 30 s, for days
        if (consoleLog.rotateIfOverLimit()) LOG.info("moved the embedded Elasticsearch's console log to {}", consoleLog.previous());
        ownerOnly(base);
        // setsid: a session of its own, so a Ctrl-C in the terminal reaches only its owner, which
        // stops it last, after its own requests under way have been answered (with the terminal's
        // process group it got SIGINT at the same time and searches still running failed);
        // setpriv --pdeathsig: it still gets SIGTERM as soon as the owning JVM dies in any way
        List<String> command = new ArrayList<>(List.of("setsid", "setpriv", "--pdeathsig", "TERM"));
        if (root) {
            command.addAll(List.of("--reuid=" + SERVICE_USER, "--regid=" + SERVICE_USER, "--init-groups"));
        }
        command.add(home.resolve("bin/elasticsearch").toString());
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        Map<String, String> env = pb.environment();
        env.put("ES_JAVA_HOME", System.getProperty("java.home"));
        // relative to its working directory (home): ES_JAVA_OPTS is split at blanks, and a data directory may have some
        String heapDump = home.toAbsolutePath().normalize().relativize(heapDumpFile().toAbsolutePath().normalize()).toString();
        env.put("ES_JAVA_OPTS", "-Xms" + settings.heap() + " -Xmx" + settings.heap()
                + (heapDump.chars().anyMatch(Character::isWhitespace) ? "" : " -XX:HeapDumpPath=" + heapDump));
        env.put("ES_TMPDIR", tmp.toString());
        env.remove("JAVA_TOOL_OPTIONS");
        LOG.info("starting Elasticsearch {} on {} (logs: {})", home.getFileName(), url(), logFile());
        answered = false;
        startOnLauncherThread(pb);
    }

    /**
     * The exit code of a node that exited without {@link #stop()} (killed, out of memory, refused
     * to start); null while it runs, before it was launched and once stopped.
     */
    public Integer exitCode() {
        Process p = process.get();
        return p == null || p.isAlive() ? null : p.exitValue();
    }

    /**
     * Waits at most {@code millis} for the process running now to exit: true once it has (or none
     * runs), then {@link #awaitUnexpectedExit()} answers at once.
     */
    public boolean awaitExit(long millis) throws InterruptedException {
        Process p = process.get();
        return p == null || p.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * While the node runs (for its owner to call every few seconds): keeps its console log within
     * its limit ({@link ConsoleLog#copyAndEmptyIfOverLimit()}); a failure is a WARN, not the node's.
     */
    public void boundConsoleLog() {
        try {
            if (consoleLog.copyAndEmptyIfOverLimit()) LOG.info("copied the embedded Elasticsearch's console log to {} and emptied it", consoleLog.previous());
        } catch (IOException e) {
            LOG.warn("could not bound the embedded Elasticsearch's console log {}: {}", consoleLog.file(), e.toString());
        }
    }

    /**
     * Blocks until the process running now exits; returns its exit code when it exited without
     * {@link #stop()}, null when it was stopped (or none runs).
     */
    public Integer awaitUnexpectedExit() throws InterruptedException {
        Process p = process.get();
        if (p == null) return null;
        int code = p.waitFor();
        return process.get() == p ? code : null;
    }

    /** Whether the node answers with yellow or green health now; a stop then gives it {@link #STOP_GRACE}. */
    public boolean answers() {
        Process p = process.get();
        if (p == null || !p.isAlive() || !healthy(url())) return false;
        if (process.get() == p) answered = true;
        return true;
    }

    /**
     * The parent-death signal is tied to the thread that forked the child, not the process, so the
     * child is started from a dedicated thread that lives exactly as long as the child does.
     */
    private void startOnLauncherThread(ProcessBuilder pb) throws IOException {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<IOException> failure = new AtomicReference<>();
        Thread launcher = new Thread(() -> {
            try {
                Process p = pb.start();
                process.set(p);
                started.countDown();
                int code = p.waitFor();
                // still ours: nobody called stop(), so the node died under us (killed, out of memory, a crash,
                // a failed bootstrap check); one killed as hung was logged as such
                if (process.get() == p && killedHung != p) {
                    LOG.error("the embedded Elasticsearch exited unexpectedly with code {}{} (its log: {}); last log lines:\n{}",
                            code, answered ? "" : " before it answered", logFile(), tail(logFile(), 20));
                }
            } catch (IOException e) {
                failure.set(e);
                started.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "embedded-es-launcher");
        launcher.setDaemon(true);
        launcher.start();
        // not interruptible: once forked, the process must be known here, or a stop could miss it
        boolean interrupted = false;
        while (true) {
            try {
                started.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failure.get() != null) throw failure.get();
    }

    private void waitForHealth() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            Process p = process.get();
            if (p == null) throw new IOException("Elasticsearch was stopped during start-up");
            if (!p.isAlive()) {
                throw new IOException("Elasticsearch exited with code " + p.exitValue() + " during start-up; last log lines:\n" + tail(logFile(), 40));
            }
            if (answers()) return;
            Thread.sleep(500);
        }
        stop();
        throw new IOException("Elasticsearch did not reach yellow/green health within " + settings.startTimeout().toSeconds()
                + " s; last log lines:\n" + tail(logFile(), 40));
    }

    /**
     * Whether something accepts connections on the node's HTTP port while its process runs: a node
     * booted (it opens its HTTP port once it has joined its cluster) but maybe not yet answering with
     * yellow health (it is recovering its shards, which may take minutes).
     */
    public boolean listens() {
        if (!isRunning()) return false;
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", httpPort), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** How long a (re)started node is given to open its HTTP port, and {@link #start()} to answer. */
    public Duration startTimeout() {
        return settings.startTimeout();
    }

    /**
     * Kills the process running now and what it started (SIGKILL): a start that hung. A node still
     * booting loses nothing (each write is in its translog before it is acknowledged). Unlike
     * {@link #stop()}, the node may be {@link #relaunch() relaunched} after. Waits (at most 10 s)
     * for it to exit.
     */
    public synchronized void killHung() throws InterruptedException {
        Process p = process.get();
        if (stopped || p == null || !p.isAlive()) return;
        killedHung = p;
        kill(p, p.descendants().toList());
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** Fails when something already listens on {@code 127.0.0.1:port}. */
    public static void requireFree(int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        } catch (IOException inUse) {
            throw new IOException("port " + port + " on 127.0.0.1 is already in use (another Elasticsearch, or a Platewarden still running?):"
                    + " choose another with --es-port, or set ES_URL to use that cluster on purpose", inUse);
        }
    }

    /** True when the cluster answers with status yellow or green. */
    public static boolean healthy(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url + "/_cluster/health?wait_for_status=yellow&timeout=1s").toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(3000);
            try (InputStream in = c.getResponseCode() == 200 ? c.getInputStream() : null) {
                if (in == null) return false;
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return body.contains("\"status\":\"green\"") || body.contains("\"status\":\"yellow\"");
            }
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Stops the node: SIGTERM, and once {@link #STOP_GRACE} (a node that answered) or
     * {@link #BOOT_STOP_GRACE} (one still booting) has passed, SIGKILL to its processes. Nothing is
     * launched after it.
     */
    public synchronized void stop() {
        stopped = true;
        Process p = process.getAndSet(null);
        if (p == null || !p.isAlive()) {
            killLeftovers();
            return;
        }
        Duration grace = answered ? STOP_GRACE : BOOT_STOP_GRACE;
        LOG.info("stopping Elasticsearch ({}; killed if it has not stopped within {} s)", answered ? "running" : "still booting", grace.toSeconds());
        // known now: once its CLI is gone, the server JVM is no longer its descendant
        List<ProcessHandle> tree = p.descendants().toList();
        // SIGTERM: the Elasticsearch CLI stops its server JVM cleanly, then exits
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Elasticsearch did not stop within {} s of SIGTERM: killing it", grace.toSeconds());
                kill(p, tree);
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(p, tree);
        }
        // a server JVM its CLI did not wait for (the CLI killed): it would hold the port and the data
        killLeftovers();
    }

    private static void kill(Process p, List<ProcessHandle> tree) {
        tree.forEach(ProcessHandle::destroyForcibly);
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /**
     * Kills every process of this node's distribution still running, once none of ours should (its
     * launched process exited or was stopped): each names its home in {@code -Des.path.home}, and
     * the home is under this node's base directory, which no other node uses. Waits (at most 10 s)
     * until they are gone.
     */
    private void killLeftovers() {
        Path home = home(settings.distributionZip(), settings.baseDir().toAbsolutePath());
        Set<String> markers = new HashSet<>(List.of("-Des.path.home=" + home));
        try {
            markers.add("-Des.path.home=" + home.toRealPath()); // the start script may have resolved a symbolic link
        } catch (IOException notUnpacked) {
            return; // never unpacked: nothing of it can run
        }
        List<ProcessHandle> leftovers = ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(args -> Arrays.stream(args).anyMatch(markers::contains)).orElse(false))
                .toList();
        if (leftovers.isEmpty()) return;
        LOG.warn("killing what is left of the embedded Elasticsearch: processes {}", leftovers.stream().map(ProcessHandle::pid).toList());
        leftovers.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : leftovers) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("process {} of the embedded Elasticsearch did not exit after SIGKILL", h.pid());
            }
        }
    }

    /**
     * For an owner that stops this node itself, last, from a shutdown hook of its own: removes the
     * hook that would otherwise stop Elasticsearch at JVM exit while the owner's hook still needs
     * it (JVM shutdown hooks run concurrently). Should the JVM die without either, the
     * parent-death signal still stops it.
     */
    public synchronized void leaveStopToOwner() {
        ownerStops = true;
        if (shutdownHook == null) return;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run
        }
        shutdownHook = null;
    }

    @Override
    public void close() {
        stop();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or has run
            }
        }
    }

    /** The pid of the process launched last (its CLI, whose child is the server JVM); -1 before a launch and once stopped. */
    public long pid() {
        Process p = process.get();
        return p == null ? -1 : p.pid();
    }

    /** Whether {@link #stop()} was called: nothing is launched any more. */
    boolean isStopped() {
        return stopped;
    }

    public boolean isRunning() {
        Process p = process.get();
        return p != null && p.isAlive();
    }

    /** Fails when the distribution zip is not there (an owner checks before it starts anything else). */
    public static void requireDistribution(Path zip) throws IOException {
        if (zip == null || !Files.isRegularFile(zip)) {
            throw new IOException("Elasticsearch distribution zip not found: " + zip
                    + " (it is resolved by Maven: run the build, or set ES_URL to use an existing cluster)");
        }
    }

    /** Where {@link #unpack} puts the distribution: {@code <base>/dist/<zip name without .zip>}. */
    private static Path home(Path zip, Path base) {
        return base.resolve("dist").resolve(zip.getFileName().toString().replace(".zip", ""));
    }

    /** Unpacks once; a marker file records a complete unpack so an interrupted one is redone. */
    static Path unpack(Path zip, Path base) throws IOException {
        requireDistribution(zip);
        Path home = home(zip, base);
        Path dist = home.getParent();
        Path marker = dist.resolve(home.getFileName() + ".unpacked");
        if (Files.exists(marker)) return home;
        Files.createDirectories(dist);
        Path staging = Files.createTempDirectory(dist, "unpack-");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path target = staging.resolve(e.getName()).normalize();
                if (!target.startsWith(staging)) throw new IOException("zip entry escapes target: " + e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path unpacked;
        try (var children = Files.list(staging)) {
            unpacked = children.filter(Files::isDirectory).findFirst().orElseThrow(() -> new IOException("empty distribution zip " + zip));
        }
        try (var bins = Files.list(unpacked.resolve("bin"))) {
            bins.forEach(f -> f.toFile().setExecutable(true, false));
        }
        Path jdkBin = unpacked.resolve("jdk/bin");
        if (Files.isDirectory(jdkBin)) {
            try (var bins = Files.list(jdkBin)) {
                bins.forEach(f -> f.toFile().setExecutable(true, false));
            }
        }
        deleteRecursively(home);
        Files.move(unpacked, home);
        deleteRecursively(staging);
        Files.writeString(marker, zip.toString());
        return home;
    }

    private void writeConfig(Path home, Path data, Path logs, Path snapshots, int transportPort) throws IOException {
        String yml = String.join("\n",
                "# written by Platewarden's EmbeddedElasticsearch on every start",
                "cluster.name: platewarden-embedded",
                "node.name: platewarden-embedded",
                "discovery.type: single-node",
                "network.host: 127.0.0.1",
                "http.port: " + httpPort,
                "transport.port: " + transportPort,
                "path.data: " + data,
                "path.logs: " + logs,
                // the one place an `fs` snapshot repository may be registered: without it the
                // embedded node could not snapshot the audit index at all (ops' backup of the trail)
                "path.repo: " + snapshots,
                "xpack.security.enabled: false",
                // a developer laptop or CI disk may be fuller than the production watermarks allow
                "cluster.routing.allocation.disk.threshold_enabled: false",
                "action.auto_create_index: true",
                "");
        Files.writeString(home.resolve("config/elasticsearch.yml"), yml);
    }

    static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return out.equals("0");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void ensureServiceUser() throws IOException, InterruptedException {
        if (run("id", "-u", SERVICE_USER) == 0) return;
        int rc = run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", SERVICE_USER);
        if (rc != 0 && run("id", "-u", SERVICE_USER) != 0) {
            throw new IOException("running as root, but could not create the unprivileged user '" + SERVICE_USER
                    + "' that Elasticsearch needs (useradd exit code " + rc + ")");
        }
    }

    /** The service user must be able to reach the base directory through its parents. */
    private static void makeTraversable(Path base) throws IOException, InterruptedException {
        for (Path p = base.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
            run("chmod", "o+x", p.toString());
        }
    }

    /**
     * Its data is every read and the audit index: only the user it runs as (and root) may enter its
     * directory. Other local accounts can still reach its HTTP port on loopback, which has no
     * authentication (docs/operations.md, "Elasticsearch and other local accounts").
     */
    private static void ownerOnly(Path base) throws IOException {
        java.nio.file.attribute.PosixFileAttributeView view = Files.getFileAttributeView(base, java.nio.file.attribute.PosixFileAttributeView.class);
        if (view != null) view.setPermissions(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + file + ")";
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (Path f : walk.sorted((a, b) -> b.compareTo(a)).toList()) Files.delete(f);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Stand-alone use (the test runner script): starts a node, prints {@code ES_URL=<url>} and keeps it
     * running until this process is terminated. Args: zip, baseDir, [port], [heap].
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: EmbeddedElasticsearch <distribution.zip> <baseDir> [httpPort] [heap]");
            System.exit(2);
        }
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        String heap = args.length > 3 ? args[3] : "1g";
        EmbeddedElasticsearch es = new EmbeddedElasticsearch(new Settings(Path.of(args[0]), Path.of(args[1]), port, heap, Duration.ofSeconds(180)));
        try {
            System.out.println("ES_URL=" + es.start());
        } catch (IOException e) {
            System.err.println("ERROR: " + e.getMessage());
            System.exit(1);
        }
        System.out.flush();
        Thread.currentThread().join();
    }
}
