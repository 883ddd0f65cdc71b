package org.platewarden.app;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.indexer.ops.IndexView;
import org.platewarden.indexer.ops.IndexViews;
import org.platewarden.indexer.retention.RetentionReport;
import org.platewarden.indexer.retention.RetentionSweeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Ops views from the command line: the same data as GET /v1/ops/indices and POST /v1/ops/retention/run. */
@Command(name = "ops", mixinStandardHelpOptions = true, description = "Index views and retention.",
        subcommands = {OpsCommand.Indices.class, OpsCommand.RetentionRun.class})
final class OpsCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "indices", mixinStandardHelpOptions = true,
            description = "Per index: day, docs, bytes, expires_at and what deletes it (ilm, sweeper, never).")
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
                    System.out.printf("%-36s %-10s %10s %12s %-22s %s%n", "INDEX", "DAY", "DOCS", "BYTES", "EXPIRES_AT", "DELETED_BY");
                    for (IndexView v : views) {
                        System.out.printf("%-36s %-10s %10d %12d %-22s %s%n", v.index(), v.day() == null ? "-" : v.day(),
                                v.docs(), v.bytes(), v.expiresAt() == null ? "-" : v.expiresAt(), v.deletedBy());
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
                    System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
                    return report.failed().isEmpty() ? 0 : 1;
                } finally {
                    sweeper.close();
                }
            }
        }
    }
}
