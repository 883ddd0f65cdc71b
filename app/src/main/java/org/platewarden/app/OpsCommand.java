package org.platewarden.app;

import java.util.List;
import java.util.concurrent.Callable;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.indexer.ops.IndexView;
import org.platewarden.indexer.ops.IndexViews;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Ops from the command line: the index view (read straight from Elasticsearch, as GET /v1/ops/indices
 * shows it), and the retention and compaction runs and the configuration reload, which change the
 * indices or the node and so go through the running node's API (POST /v1/ops/retention/run,
 * /v1/ops/compaction/run, /v1/ops/config/reload) to be audited.
 */
@Command(name = "ops", mixinStandardHelpOptions = true, description = "Index views, retention, compaction and configuration reload.",
        subcommands = {OpsCommand.Indices.class, OpsCommand.RetentionRun.class, OpsCommand.CompactionRun.class, OpsCommand.ConfigReload.class})
final class OpsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw CliErrors.missingCommand(spec);
    }

    @Command(name = "indices", mixinStandardHelpOptions = true,
            description = "Per index: day, docs, bytes, segments, expires_at and what deletes it (ilm, sweeper, never).")
    static final class Indices implements Callable<Integer> {
        @Mixin
        ConfigOptions configOptions = new ConfigOptions();

        @Option(names = "--json", description = "JSON instead of a table")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PlatewardenConfig config = configOptions.load();
            try (ElasticsearchConnection es = ClusterAccess.connect(config)) {
                List<IndexView> views = new IndexViews(es.rest(), config.indexPrefix(), config.retentionDays(),
                        ClusterAccess.retention(es, config)).list();
                if (json) {
                    System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(views));
                } else {
                    System.out.printf("%-36s %-6s %-10s %10s %12s %8s %-22s %s%n", "INDEX", "HEALTH", "DAY", "DOCS", "BYTES", "SEGMENTS",
                            "EXPIRES_AT", "DELETED_BY");
                    for (IndexView v : views) {
                        System.out.printf("%-36s %-6s %-10s %10d %12d %8d %-22s %s%n", v.index(), v.health() == null ? "-" : v.health(),
                                v.day() == null ? "-" : v.day(), v.docs(), v.bytes(), v.segments(), v.expiresAt() == null ? "-" : v.expiresAt(),
                                v.deletedBy() == null ? "-" : v.deletedBy());
                        if (v.note() != null) System.out.printf("    %s: %s%n", v.index(), v.note());
                    }
                }
            }
            return 0;
        }
    }

    /**
     * A command that goes through the running node's search API so that what it does is audited: the
     * node's configuration options (to find it) and the ops user's token.
     */
    abstract static class ThroughApi implements Callable<Integer> {
        @Mixin
        ConfigOptions configOptions = new ConfigOptions();

        @Option(names = "--token-file", paramLabel = "FILE", description = "a file holding the bearer token (else PLATEWARDEN_TOKEN)")
        java.nio.file.Path tokenFile;

        private final String what;
        private final String path;

        ThroughApi(String what, String path) {
            this.what = what;
            this.path = path;
        }

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            // a mistyped --token-file is a bad argument (exit 2) named as such, not "NoSuchFileException: …" (exit 1)
            if (tokenFile != null && !java.nio.file.Files.isRegularFile(tokenFile)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "no such token file: " + tokenFile
                        + " (--token-file names a file holding an ops user's token)");
            }
            return runThroughApi(configOptions.load(), tokenFile, what, path);
        }
    }

    @Command(name = "retention-run", mixinStandardHelpOptions = true,
            description = "Delete the daily read indices whose retention has expired, now (never audit or holds), through the running"
                    + " node's search API (POST /v1/ops/retention/run), so the run is audited; needs an ops token in PLATEWARDEN_TOKEN"
                    + " or --token-file.")
    static final class RetentionRun extends ThroughApi {
        RetentionRun() {
            super("retention-run", "/v1/ops/retention/run");
        }
    }

    @Command(name = "compaction-run", mixinStandardHelpOptions = true,
            description = "Force-merge, now, the finished days' read indices that have more than indexer.compaction.above_segments segments,"
                    + " through the running node's search API (POST /v1/ops/compaction/run), so the run is audited; needs an ops token in"
                    + " PLATEWARDEN_TOKEN or --token-file.")
    static final class CompactionRun extends ThroughApi {
        CompactionRun() {
            super("compaction-run", "/v1/ops/compaction/run");
        }
    }

    @Command(name = "config-reload", mixinStandardHelpOptions = true,
            description = "Make the running node read its configuration file again and put its agencies, cameras, static tokens and"
                    + " JWT keys in force without a restart, and its TLS listeners' renewed certificate files, through its search API"
                    + " (POST /v1/ops/config/reload), so the reload is audited; prints what changed, which TLS certificates were"
                    + " reloaded or refused, and what needs a restart. An invalid file changes nothing (exit 2 when this"
                    + " command finds it invalid itself, 1 when the node refuses it). Needs an ops token in PLATEWARDEN_TOKEN or --token-file.")
    static final class ConfigReload extends ThroughApi {
        ConfigReload() {
            super("config-reload", "/v1/ops/config/reload");
        }
    }

    /**
     * A run that changes the indices (or a reload that changes the node) goes through the node's API,
     * audited under the token's user: run straight against Elasticsearch, as it once was, it left no
     * audit record. Prints the answer; exit code 0 for a 200 whose report lists no failed index, 1 otherwise.
     */
    private static int runThroughApi(PlatewardenConfig config, java.nio.file.Path tokenFile, String what, String path) throws Exception {
        NodeApi.Answer answer = NodeApi.of(config, tokenFile, what).post(path);
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(answer.body()));
        if (answer.status() != 200) {
            System.err.println("ERROR: " + what + " answered " + answer.status());
            return 1;
        }
        return answer.body().path("failed").isEmpty() ? 0 : 1;
    }
}
