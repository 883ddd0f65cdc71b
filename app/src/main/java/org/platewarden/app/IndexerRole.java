package org.platewarden.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.spool.Spool;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.indexer.Indexer;
import org.platewarden.indexer.IndexerVerticle;
import org.platewarden.indexer.compaction.DailyIndexCompactor;
import org.platewarden.indexer.days.ReadDaysMissingGauge;
import org.platewarden.indexer.retention.RetentionSweeper;
import org.platewarden.templates.InstallReport;

/**
 * The indexer role: the spool's tail shipped in bulk, the retention sweeper and the compaction
 * schedule, deployed as one verticle (its undeploy stops all three).
 */
final class IndexerRole {
    private IndexerRole() {
    }

    /**
     * Deploys the role and returns its deployment id. A deploy that fails is not stopped by Vert.x:
     * what it started (the indexer's thread, the sweeper's and compactor's workers) is stopped here,
     * so that the node, whose gateway may run on and try again, holds none of it.
     */
    static String deploy(Vertx vertx, PlatewardenConfig config, ElasticsearchConnection connection, Spool spool,
                         DeadLetterStore deadLetters, InstallReport installed, MeterRegistry registry) throws Exception {
        Indexer indexer = Indexer.forElasticsearch(spool, connection, deadLetters, config, registry);
        RetentionSweeper sweeper = new RetentionSweeper(connection.rest(), config.indexPrefix(), config.retentionDays(),
                installed.retention(), Clock.systemUTC(), ReadDaysMissingGauge.on(registry));
        DailyIndexCompactor compactor = new DailyIndexCompactor(connection.rest(), config.indexPrefix(), config.retentionDays(),
                config.indexer().compaction(), Clock.systemUTC(), registry);
        try {
            return vertx.deployVerticle(new IndexerVerticle(indexer, sweeper, compactor, Duration.ofSeconds(config.indexer().sweeperIntervalSeconds())))
                    .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            sweeper.close();
            compactor.close();
            try {
                indexer.stop().get(60, TimeUnit.SECONDS);
            } catch (Exception notStopped) {
                e.addSuppressed(notStopped);
            }
            throw e;
        }
    }
}
