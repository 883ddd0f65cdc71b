package org.platewarden.search.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The ops endpoints' view of the indexer: index views and an on-demand retention sweep. Must not
 * block the event loop.
 */
public interface OpsApi {
    /** Per read index: index, day, docs, bytes, expires_at, deleted_by ({@code ilm} or {@code sweeper}). */
    Future<JsonArray> indices();

    /** Runs the retention sweeper once; returns what it did (e.g. the deleted indices). */
    Future<JsonObject> runRetention();
}
