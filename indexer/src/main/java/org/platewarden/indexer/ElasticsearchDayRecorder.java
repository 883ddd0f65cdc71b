package org.platewarden.indexer;

import java.time.Instant;
import java.time.LocalDate;
import java.util.concurrent.CompletableFuture;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.index.DailyIndex;

/**
 * {@link DayRecorder} over the async client: {@code PUT <prefix>-days/_create/<YYYY-MM-DD>}. A 409
 * means the day was recorded before (by this indexer before a restart, or another indexer node),
 * which is success: the first {@code first_indexed_at} stays.
 */
public final class ElasticsearchDayRecorder implements DayRecorder {
    private final RestClient rest;
    private final String registry;

    public ElasticsearchDayRecorder(RestClient rest, String prefix) {
        this.rest = rest;
        this.registry = DailyIndex.registry(prefix);
    }

    @Override
    public CompletableFuture<Void> record(LocalDate day, Instant firstIndexedAt) {
        Request request = new Request("PUT", "/" + registry + "/_create/" + day);
        request.addParameter("filter_path", "result");
        request.setEntity(new NStringEntity(EsRest.MAPPER.createObjectNode()
                .put("day", day.toString()).put("first_indexed_at", firstIndexedAt.toString()).toString(), ContentType.APPLICATION_JSON));
        CompletableFuture<Void> done = new CompletableFuture<>();
        rest.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                done.complete(null);
            }

            @Override
            public void onFailure(Exception e) {
                if (e instanceof ResponseException re && re.getResponse().getStatusLine().getStatusCode() == 409) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(e);
                }
            }
        });
        return done;
    }
}
