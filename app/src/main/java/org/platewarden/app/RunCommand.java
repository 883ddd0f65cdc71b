package org.platewarden.app;

import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.platewarden.core.config.PlatewardenConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Starts the requested roles (all by default) and blocks until the process is stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Start Platewarden: gateway (HTTP 8080, MQTT 1883), indexer and search API (8081).")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--roles", defaultValue = "all", description = "Comma-separated: gateway, indexer, search, or all (default).")
    String roles;

    @Option(names = "--es-port", defaultValue = "9200", description = "HTTP port of the embedded Elasticsearch (ignored with ES_URL).")
    int esPort;

    @Override
    public Integer call() throws Exception {
        PlatewardenConfig config = configOptions.load();
        Set<Role> selected = Role.parse(roles);
        PlatewardenNode node = new PlatewardenNode(config, selected);
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "platewarden-shutdown"));
        node.start(System.getenv("ES_URL"), esPort);
        System.out.println(Banner.render(node, configOptions.file == null));
        new CountDownLatch(1).await();
        return 0;
    }
}
