package org.platewarden.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/**
 * One connection to an Elasticsearch cluster, shared by every role in the process: the low-level
 * REST client (raw JSON, used for templates and ops views) and the typed sync/async clients on top
 * of the same transport. The async client never blocks the calling thread, so it is safe to call
 * from a Vert.x event loop; the sync client is for start-up and the CLI only.
 */
public final class ElasticsearchConnection implements AutoCloseable {
    private final String url;
    private final RestClient restClient;
    private final RestClientTransport transport;
    private final ElasticsearchClient client;
    private final ElasticsearchAsyncClient asyncClient;

    public ElasticsearchConnection(String url) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI uri = URI.create(this.url);
        this.restClient = RestClient.builder(new HttpHost(uri.getHost(), uri.getPort(), uri.getScheme()))
                .setRequestConfigCallback(rc -> rc.setConnectTimeout(5_000).setSocketTimeout(60_000))
                .setHttpClientConfigCallback(hc -> hc.setMaxConnTotal(64).setMaxConnPerRoute(64))
                .build();
        this.transport = new RestClientTransport(restClient, new JacksonJsonpMapper());
        this.client = new ElasticsearchClient(transport);
        this.asyncClient = new ElasticsearchAsyncClient(transport);
    }

    public String url() {
        return url;
    }

    public RestClient rest() {
        return restClient;
    }

    public ElasticsearchClient client() {
        return client;
    }

    public ElasticsearchAsyncClient async() {
        return asyncClient;
    }

    @Override
    public void close() {
        try {
            transport.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
