package org.platewarden.search.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.platewarden.core.config.ConfigReload;

/**
 * The ops endpoints' view of the node: index views, an on-demand retention sweep and an
 * on-demand compaction pass (the indexer's), and a reload of the credentials from the
 * configuration file. Must not block the event loop. The index view is an 8081 read like any
 * other: each of its Elasticsearch calls is bounded ({@code search.es_request_timeout_ms}; a timeout
 * or a refused connection among a failure's causes is a 503: {@link ElasticsearchFailure}); the runs may take minutes and keep their own timeouts.
 */
public interface OpsApi {
    /** Per read index: index, day, docs, bytes, segments, expires_at, deleted_by ({@code ilm} or {@code sweeper}). */
    Future<JsonArray> indices();

    /** Runs the retention sweeper once; returns what it did (e.g. the deleted indices). */
    Future<JsonObject> runRetention();

    /** Runs one compaction pass (force-merges finished days' indices); returns what it did. */
    Future<JsonObject> runCompaction();

    /**
     * Reads and validates the node's configuration file again, off the event loop, and says what a
     * reload would change; nothing is in force until {@link ConfigReload.Prepared#apply}. Fails with
     * {@link org.platewarden.core.config.ConfigException} when the file is invalid.
     */
    default Future<ConfigReload.Prepared> prepareConfigReload() {
        return Future.failedFuture(new ServiceUnavailableException("this node cannot reload its configuration"));
    }
}
