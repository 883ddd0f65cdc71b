package org.platewarden.app;

import java.nio.file.Path;
import org.platewarden.core.config.PlatewardenConfig;
import picocli.CommandLine.Option;

/** {@code --config FILE}; without it the demo configuration (quick start only). */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "JSON config file (merged over the defaults). Without it: the demo configuration.")
    Path file;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Overrides data_dir (spool, dead letters, audit journal, embedded Elasticsearch).")
    Path dataDir;

    @Option(names = "--demo", description = "With --config: start from the demo agencies, cameras and tokens, then apply FILE (e.g. other ports).")
    boolean demo;

    PlatewardenConfig load() {
        PlatewardenConfig config;
        if (file == null) {
            config = PlatewardenConfig.demoConfig();
        } else if (demo) {
            config = PlatewardenConfig.loadOverDemo(file);
        } else {
            config = PlatewardenConfig.load(file);
        }
        if (dataDir != null) config = config.with("{\"data_dir\":\"" + dataDir.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
        return config;
    }
}
