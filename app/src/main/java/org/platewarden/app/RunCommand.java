package org.platewarden.app;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.platewarden.core.config.DemoCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.log.FatalErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Starts the requested roles (all by default) and blocks until the process is stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Start Platewarden: gateway (HTTP 8080, MQTT 1883), indexer and search API (8081).")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--roles", defaultValue = "all", description = "Comma-separated: gateway, indexer, search, or all (default).")
    String roles;

    @Option(names = "--es-port", defaultValue = "9200", description = "HTTP port of the embedded Elasticsearch (ignored with ES_URL).")
    int esPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Set<Role> selected;
        try {
            selected = Role.parse(roles);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PlatewardenConfig config = configOptions.load(); // an invalid one: CliErrors says why, exit code 2
        // an OutOfMemoryError (a VirtualMachineError other than a stack overflow) ends the node for its supervisor to restart,
        // rather than leaving it half alive with event loops gone (FatalErrors; the launcher also sets
        // -XX:+ExitOnOutOfMemoryError, which covers heap exhaustion wherever it is met)
        FatalErrors.exitOnFatal();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            if (!FatalErrors.report(error, "thread " + thread.getName())) LOG.error("thread {} died", thread.getName(), error);
        });
        PlatewardenNode node = new PlatewardenNode(config, selected);
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "platewarden-shutdown"));
        try {
            node.start(System.getenv("ES_URL"), esPort);
        } catch (Exception e) {
            // one clear line for the operator; the stack trace only when asked for
            System.err.println("ERROR: Platewarden could not start: " + StartupFailure.describe(e, config, esPort));
            if (Boolean.getBoolean("platewarden.debug")) e.printStackTrace();
            return 1;
        }
        List<String> publicCredentials = DemoCredentials.inUse(config);
        if (!publicCredentials.isEmpty()) {
            LOG.warn("running with the public demo credentials ({}): demo only, never for real data", String.join(", ", publicCredentials));
        }
        System.out.println(Banner.render(node));
        new CountDownLatch(1).await();
        return 0;
    }
}
