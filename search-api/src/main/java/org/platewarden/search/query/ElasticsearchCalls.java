package org.platewarden.search.query;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;
import org.platewarden.elasticsearch.ElasticsearchConnection;

/**
 * Runs a search's low-level REST requests without blocking: the response body is parsed on the HTTP
 * client's I/O thread (as the typed Elasticsearch client does), and the result is handed back on
 * the caller's Vert.x context so everything after it runs where the request started. Each request
 * waits at most the search's Elasticsearch timeout ({@code search.es_request_timeout_ms}) for a
 * connection and for Elasticsearch's answer, and at most what is left of its search's deadline
 * ({@link SearchDeadline}, {@code search.max_search_ms}); past either the search fails closed (503),
 * instead of after the connection's default minute.
 */
final class ElasticsearchCalls {
    /** Elasticsearch's header for naming a request in its tasks API and slow logs. */
    static final String OPAQUE_ID = "X-Opaque-Id";

    interface BodyParser<T> {
        T parse(InputStream body) throws IOException;
    }

    private final RestClient rest;
    private final int timeoutMillis;

    ElasticsearchCalls(RestClient rest, int timeoutMillis) {
        this.rest = rest;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * A {@code _search} over the given indices as every search step sends it: a missing index (a day
     * without reads, or deleted by retention) is no error, and no can-match pre-filter round trip.
     * Elasticsearch adds that round trip on its own when the primary sort is on an indexed field
     * (capture time, here), to skip shards whose values cannot match; the indices asked are already
     * exactly the days of the window, so it would skip none and only cost a round trip per shard.
     */
    static Request search(List<String> indices, String filterPath, String opaqueId) {
        Request request = new Request("POST", "/" + String.join(",", indices) + "/_search");
        request.addParameter("ignore_unavailable", "true");
        request.addParameter("allow_no_indices", "true");
        request.addParameter("pre_filter_shard_size", Integer.toString(NO_PRE_FILTER_BELOW_SHARDS));
        request.addParameter("filter_path", filterPath);
        tag(request, opaqueId);
        return request;
    }

    /** Above any realistic fan-out (31 days of windows at most): the pre-filter never runs. */
    private static final int NO_PRE_FILTER_BELOW_SHARDS = 4096;

    static void tag(Request request, String opaqueId) {
        request.setOptions(RequestOptions.DEFAULT.toBuilder().addHeader(OPAQUE_ID, opaqueId));
    }

    /** Pauses before retrying a shard that is still starting: 100, 200, 400 ms, then give up (503). */
    private static final long[] SHARD_RETRY_DELAYS_MS = {100, 200, 400};

    /** Sends {@code request} for the search whose deadline is {@code deadline}; fails at once, unsent, when it has passed. */
    <T> Future<T> perform(Context context, Request request, BodyParser<T> parser, SearchDeadline deadline) {
        return perform(context, request, parser, deadline, 0);
    }

    private <T> Future<T> perform(Context context, Request request, BodyParser<T> parser, SearchDeadline deadline, int attempt) {
        return attempt(context, request, parser, deadline).recover(e -> {
            // a daily index created a moment ago (first read of a day) has its primary shard still
            // starting; searching it answers no_shard_available for a few milliseconds: wait, not fail
            if (attempt < SHARD_RETRY_DELAYS_MS.length && e instanceof SearchBackendException sbe && sbe.shardStarting()) {
                Promise<T> retried = Promise.promise();
                context.owner().setTimer(SHARD_RETRY_DELAYS_MS[attempt],
                        t -> perform(context, request, parser, deadline, attempt + 1).onComplete(retried));
                return retried.future();
            }
            return Future.failedFuture(e);
        });
    }

    private <T> Future<T> attempt(Context context, Request request, BodyParser<T> parser, SearchDeadline deadline) {
        int timeout;
        try {
            timeout = deadline.requestTimeout(timeoutMillis);
        } catch (SearchDeadline.Passed passed) {
            return Future.failedFuture(passed);
        }
        // each attempt anew: a retry after a shard's start waits only what is left of the deadline
        request.setOptions(ElasticsearchConnection.withTimeout(request.getOptions(), timeout));
        boolean cutByDeadline = timeout < timeoutMillis;
        Promise<T> promise = Promise.promise();
        rest.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                T value;
                try (InputStream in = response.getEntity().getContent()) {
                    value = parser.parse(in);
                } catch (SearchBackendException e) {
                    fail(e);
                    return;
                } catch (RuntimeException | IOException e) {
                    fail(new SearchBackendException(500, "unreadable Elasticsearch response: " + e.getMessage(), e));
                    return;
                }
                context.runOnContext(v -> promise.complete(value));
            }

            @Override
            public void onFailure(Exception e) {
                boolean deadlinePassed = cutByDeadline && ElasticsearchConnection.timedOut(e);
                fail(deadlinePassed ? new SearchDeadline.Passed(deadline.maxMillis(), e) : translate(e, timeoutMillis));
            }

            private void fail(Throwable t) {
                context.runOnContext(v -> promise.fail(t));
            }
        });
        return promise.future();
    }

    static SearchBackendException translate(Exception e, int timeoutMillis) {
        if (e instanceof ResponseException re) {
            int code = re.getResponse().getStatusLine().getStatusCode();
            int status = code == 429 || code == 503 || code == 504 ? 503 : 500;
            boolean shardStarting = code == 503 && String.valueOf(re.getMessage()).contains("no_shard_available_action_exception");
            return new SearchBackendException(status, "Elasticsearch answered " + code, e, shardStarting);
        }
        if (ElasticsearchConnection.timedOut(e)) {
            return new SearchBackendException(503, "Elasticsearch did not answer within " + timeoutMillis
                    + " ms (search.es_request_timeout_ms): " + e, e);
        }
        return new SearchBackendException(503, "Elasticsearch is unreachable: " + e.getMessage(), e);
    }
}
