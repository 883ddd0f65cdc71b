package org.platewarden.app;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.platewarden.indexer.compaction.DailyIndexCompactor;
import org.platewarden.indexer.ops.IndexViews;
import org.platewarden.indexer.retention.RetentionSweeper;
import org.platewarden.search.api.OpsApi;

/** The search API's ops endpoints backed by the indexer's index views, retention sweeper and compactor. */
final class IndexerOpsApi implements OpsApi {
    private final IndexViews views;
    private final RetentionSweeper sweeper;
    private final DailyIndexCompactor compactor;
    private final Context context;

    IndexerOpsApi(IndexViews views, RetentionSweeper sweeper, DailyIndexCompactor compactor, Context context) {
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
        return Future.fromCompletionStage(sweeper.runOnceAsync(), context).map(Json::object);
    }

    @Override
    public Future<JsonObject> runCompaction() {
        return Future.fromCompletionStage(compactor.runOnceAsync(), context).map(Json::object);
    }
}
