package org.platewarden.indexer;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import org.platewarden.indexer.retention.RetentionSweeper;

/**
 * Deploys the indexer role: starts the {@link Indexer} (which runs on its own thread and never
 * touches the event loop) and, where the cluster has no ILM, the retention sweeper's schedule.
 * Undeploying stops both; unfinished batches are resent by the next start.
 */
public final class IndexerVerticle extends VerticleBase {
    private final Indexer indexer;
    private final RetentionSweeper sweeper;
    private final Duration sweepInterval;

    /** @param sweeper may be null when another node runs retention */
    public IndexerVerticle(Indexer indexer, RetentionSweeper sweeper, Duration sweepInterval) {
        this.indexer = indexer;
        this.sweeper = sweeper;
        this.sweepInterval = sweepInterval;
    }

    @Override
    public Future<?> start() {
        return Future.fromCompletionStage(indexer.start(), context)
                .map(v -> sweeper != null && sweeper.startSchedule(sweepInterval));
    }

    @Override
    public Future<?> stop() {
        if (sweeper != null) sweeper.close();
        return Future.fromCompletionStage(indexer.stop(), context);
    }
}
