package org.platewarden.app;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.platewarden.core.config.ConfigReload;
import org.platewarden.indexer.compaction.DailyIndexCompactor;
import org.platewarden.indexer.ops.IndexViews;
import org.platewarden.indexer.retention.RetentionSweeper;
import org.platewarden.search.api.OpsApi;

/**
 * The search API's ops endpoints backed by the indexer's index views, retention sweeper and
 * compactor. A retention run also releases the holds whose until passed (the hourly pass's work,
 * {@link HoldExpiry}, each release recorded as that pass records it) and lists them as
 * {@code holds_released}. A configuration reload is the node's ({@link ConfigReloader}).
 */
final class IndexerOpsApi implements OpsApi {
    private final IndexViews views;
    private final RetentionSweeper sweeper;
    private final DailyIndexCompactor compactor;
    private final Context context;
    private final java.util.function.Supplier<Future<java.util.List<org.platewarden.indexer.holds.Hold>>> releaseEndedHolds;

    /** the node's reload: reads and validates the configuration file on a worker ({@link ConfigReloader#prepare}) */
    private final java.util.function.Supplier<Future<ConfigReload.Prepared>> reload;

    IndexerOpsApi(IndexViews views, RetentionSweeper sweeper, DailyIndexCompactor compactor, Context context,
                  java.util.function.Supplier<Future<java.util.List<org.platewarden.indexer.holds.Hold>>> releaseEndedHolds,
                  java.util.function.Supplier<Future<ConfigReload.Prepared>> reload) {
        this.releaseEndedHolds = releaseEndedHolds;
        this.reload = reload;
        this.views = views;
        this.sweeper = sweeper;
        this.compactor = compactor;
        this.context = context;
    }

    @Override
    public Future<JsonArray> indices() {
        return Future.fromCompletionStage(views.listAsync(), context).map(Json::array);
    }

    @Override
    public Future<JsonObject> runRetention() {
        return Future.fromCompletionStage(sweeper.runOnceAsync(), context).map(Json::object)
                .compose(report -> releaseEndedHolds.get()
                        .map(released -> report.put("holds_released", new JsonArray(released.stream().map(h -> (Object) h.id()).toList())))
                        // the indices are deleted already: say what failed instead of failing the run
                        .otherwise(e -> report.put("holds_release_failed", e.toString())));
    }

    @Override
    public Future<ConfigReload.Prepared> prepareConfigReload() {
        return reload.get();
    }

    @Override
    public Future<JsonObject> runCompaction() {
        return Future.fromCompletionStage(compactor.runOnceAsync(), context).map(Json::object);
    }
}
