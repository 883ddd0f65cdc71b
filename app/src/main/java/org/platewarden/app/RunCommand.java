package org.platewarden.app;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.platewarden.core.config.ConfigException;
import org.platewarden.core.config.DemoCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.config.TlsFiles;
import org.platewarden.core.log.FatalErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Starts the requested roles (all by default) and blocks until the process is stopped. The gateway
 * takes reads as soon as its spool is open; the roles that need Elasticsearch start when it answers,
 * however long that takes. A failure of theirs ends the process only when there is no gateway to keep;
 * on a node with the gateway, the node tries their start again until it succeeds (it logs each
 * failure), and the embedded Elasticsearch's start too.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Start Platewarden: gateway (HTTP 8080, MQTT 1883), indexer and search API (8081).")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--roles", defaultValue = "all", description = "Comma-separated: gateway, indexer, search, or all (default).")
    String roles;

    @Option(names = "--es-port", defaultValue = "9200", description = "HTTP port of the embedded Elasticsearch, 0: any free port (ignored with ES_URL, and on a gateway-only node).")
    int esPort;

    @Spec
    CommandSpec spec;

    /** How long {@code run} waits for the roles that need Elasticsearch before it prints what serves already. */
    static final long BANNER_WAIT_SECONDS = 3;

    @Override
    public Integer call() throws Exception {
        Set<Role> selected;
        try {
            selected = Role.parse(roles);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        // a bad argument, said before anything starts (it was "could not start: IllegalArgumentException:
        // port out of range:70000", exit 1, once the spool and the gateway were open)
        if (esPort < 0 || esPort > 65535) {
            throw new ParameterException(spec.commandLine(), "--es-port must be 0..65535 (0: any free port), not " + esPort);
        }
        PlatewardenConfig config = configOptions.load(); // an invalid one: CliErrors says why, exit code 2
        // a TLS key that is not its certificate's, or an expired certificate, would fail every handshake
        // while the node said it runs (a reload checks a renewed pair the same way before it swaps it in)
        List<String> tlsProblems = TlsFiles.problems(config, selected.contains(Role.GATEWAY), selected.contains(Role.SEARCH), Instant.now());
        if (!tlsProblems.isEmpty()) throw new ConfigException(tlsProblems);
        String exposed = ConfigFileAccess.warning(configOptions.file, config);
        if (exposed != null) LOG.warn(exposed);
        // an OutOfMemoryError (a VirtualMachineError other than a stack overflow) ends the node for its supervisor to restart,
        // rather than leaving it half alive with event loops gone (FatalErrors; the launcher also sets
        // -XX:+ExitOnOutOfMemoryError, which covers heap exhaustion wherever it is met)
        FatalErrors.exitOnFatal();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            if (!FatalErrors.report(error, "thread " + thread.getName())) LOG.error("thread {} died", thread.getName(), error);
        });
        // a reload (SIGHUP, POST /v1/ops/config/reload) reads the configuration as this did: the same file, flags and overrides
        PlatewardenNode node = new PlatewardenNode(config, selected, configOptions::load);
        // the stop's first log line says which signal asked for it (a shutdown hook is not told)
        StopSignals.install();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> node.stop(StopSignals.cause()), "platewarden-shutdown"));
        try {
            node.open(System.getenv("ES_URL"), esPort);
        } catch (Exception e) {
            // one clear line for the operator; the stack trace only when asked for
            System.err.println("ERROR: Platewarden could not start: " + node.describe(e));
            if (Boolean.getBoolean("platewarden.debug")) e.printStackTrace();
            return 1;
        }
        // kill -HUP <pid> reloads the credentials (without the handler the JVM would take SIGHUP as a stop)
        SighupReload.install(node.reloader(), selected.contains(Role.SEARCH));
        List<String> publicCredentials = DemoCredentials.inUse(config);
        if (!publicCredentials.isEmpty()) {
            LOG.warn("running with the public demo credentials ({}): demo only, never for real data", String.join(", ", publicCredentials));
        }
        // the gateway takes reads already; the rest waits for Elasticsearch (a running cluster answers
        // at once, the embedded node in 30-40 s): say what serves now rather than stay silent meanwhile
        CompletableFuture<Void> roles = node.elasticsearchRoles();
        try {
            try {
                roles.get(BANNER_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException waiting) {
                System.out.println(Banner.starting(node));
                roles.get();
            }
            System.out.println(Banner.render(node));
        } catch (ExecutionException e) {
            String why = node.describe(e.getCause());
            if (Boolean.getBoolean("platewarden.debug")) e.getCause().printStackTrace();
            if (!node.runsGateway()) {
                System.err.println("ERROR: Platewarden could not start: " + why);
                return 1;
            }
            // not an Exception (those are retried, the embedded Elasticsearch's failed starts too): the gateway
            // needs none of it, so it goes on, and readiness on 8081 says the rest is down
            System.err.println("ERROR: " + node.couldNotStart() + ": " + why + ". The gateway goes on taking reads into"
                    + " the spool; restart Platewarden once this is mended.");
        } catch (CancellationException stopping) {
            // Ctrl-C or SIGTERM while waiting: the shutdown hook stops the node
        }
        new CountDownLatch(1).await();
        return 0;
    }
}
