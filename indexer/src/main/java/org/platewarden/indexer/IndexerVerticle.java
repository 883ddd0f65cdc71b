package org.platewarden.indexer;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import org.platewarden.indexer.compaction.DailyIndexCompactor;
import org.platewarden.indexer.retention.RetentionSweeper;

/**
 * Deploys the indexer role: starts the {@link Indexer} (which runs on its own thread and never
 * touches the event loop), the retention sweeper's schedule where the cluster has no ILM, and the
 * compaction schedule when it is enabled. Undeploying stops them; unfinished batches are resent by
 * the next start.
 */
public final class IndexerVerticle extends VerticleBase {
    private final Indexer indexer;
    private final RetentionSweeper sweeper;
    private final DailyIndexCompactor compactor;
    private final Duration sweepInterval;

    /** @param sweeper may be null when another node runs retention; {@code compactor} likewise */
    public IndexerVerticle(Indexer indexer, RetentionSweeper sweeper, DailyIndexCompactor compactor, Duration sweepInterval) {
        this.indexer = indexer;
        this.sweeper = sweeper;
        this.compactor = compactor;
        this.sweepInterval = sweepInterval;
    }

    @Override
    public Future<?> start() {
        return Future.fromCompletionStage(indexer.start(), context)
                .map(v -> {
                    if (compactor != null) compactor.startSchedule(sweepInterval);
                    return sweeper != null && sweeper.startSchedule(sweepInterval);
                });
    }

    @Override
    public Future<?> stop() {
        if (sweeper != null) sweeper.close();
        if (compactor != null) compactor.close();
        return Future.fromCompletionStage(indexer.stop(), context);
    }
}
