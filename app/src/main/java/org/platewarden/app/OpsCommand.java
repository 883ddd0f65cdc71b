package org.platewarden.app;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.indexer.compaction.CompactionReport;
import org.platewarden.indexer.compaction.DailyIndexCompactor;
import org.platewarden.indexer.ops.IndexView;
import org.platewarden.indexer.ops.IndexViews;
import org.platewarden.indexer.retention.RetentionReport;
import org.platewarden.indexer.retention.RetentionSweeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Ops views from the command line: the same data as GET /v1/ops/indices, POST /v1/ops/retention/run
 * and POST /v1/ops/compaction/run.
 */
@Command(name = "ops", mixinStandardHelpOptions = true, description = "Index views, retention and compaction.",
        subcommands = {OpsCommand.Indices.class, OpsCommand.RetentionRun.class, OpsCommand.CompactionRun.class})
final class OpsCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Prints a run's report as JSON; exit code 1 when some index failed. */
    private static int print(Object report, boolean ok) throws java.io.IOException {
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return ok ? 0 : 1;
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
                    System.out.printf("%-36s %-10s %10s %12s %8s %-22s %s%n", "INDEX", "DAY", "DOCS", "BYTES", "SEGMENTS", "EXPIRES_AT", "DELETED_BY");
                    for (IndexView v : views) {
                        System.out.printf("%-36s %-10s %10d %12d %8d %-22s %s%n", v.index(), v.day() == null ? "-" : v.day(),
                                v.docs(), v.bytes(), v.segments(), v.expiresAt() == null ? "-" : v.expiresAt(), v.deletedBy());
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "retention-run", mixinStandardHelpOptions = true,
            description = "Delete the daily read indices whose retention has expired, now (never audit or holds).")
    static final class RetentionRun implements Callable<Integer> {
        @Mixin
        ConfigOptions configOptions = new ConfigOptions();

        @Override
        public Integer call() throws Exception {
            PlatewardenConfig config = configOptions.load();
            try (ElasticsearchConnection es = ClusterAccess.connect(config)) {
                RetentionSweeper sweeper = new RetentionSweeper(es.rest(), config.indexPrefix(), config.retentionDays(),
                        ClusterAccess.retention(es, config), Clock.systemUTC());
                try {
                    RetentionReport report = sweeper.runOnce();
                    return print(report, report.failed().isEmpty());
                } finally {
                    sweeper.close();
                }
            }
        }
    }

    @Command(name = "compaction-run", mixinStandardHelpOptions = true,
            description = "Force-merge, now, the finished days' read indices that have more than indexer.compaction.above_segments segments.")
    static final class CompactionRun implements Callable<Integer> {
        @Mixin
        ConfigOptions configOptions = new ConfigOptions();

        @Override
        public Integer call() throws Exception {
            PlatewardenConfig config = configOptions.load();
            try (ElasticsearchConnection es = ClusterAccess.connect(config);
                 DailyIndexCompactor compactor = new DailyIndexCompactor(es.rest(), config.indexPrefix(), config.retentionDays(),
                         config.indexer().compaction(), Clock.systemUTC(), new SimpleMeterRegistry())) {
                CompactionReport report = compactor.runOnce();
                return print(report, report.failed().isEmpty());
            }
        }
    }
}
