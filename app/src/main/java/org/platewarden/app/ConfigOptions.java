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

    PlatewardenConfig load() {
        PlatewardenConfig config = file == null ? PlatewardenConfig.demoConfig() : PlatewardenConfig.load(file);
        if (dataDir != null) config = config.with("{\"data_dir\":\"" + dataDir.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
        return config;
    }
}
