package org.platewarden.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

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
    private final ElasticsearchCredentials credentials;

    /** With the credentials of the process environment ({@link ElasticsearchCredentials#fromEnvironment}). */
    public ElasticsearchConnection(String url) {
        this(url, ElasticsearchCredentials.fromEnvironment(System::getenv));
    }

    /**
     * @throws IllegalArgumentException for a URL with credentials in it (they would be written to
     *                                  {@code run/node.json} and logged) and for unusable credentials
     */
    public ElasticsearchConnection(String url, ElasticsearchCredentials credentials) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI uri = URI.create(this.url);
        if (uri.getUserInfo() != null) {
            throw new IllegalArgumentException("the Elasticsearch URL carries credentials: set ES_USERNAME and ES_PASSWORD (or ES_API_KEY)"
                    + " instead, since the URL is written to run/node.json and logged");
        }
        this.credentials = credentials;
        String authorization = credentials.authorization();
        javax.net.ssl.SSLContext ssl = credentials.sslContext();
        RestClientBuilder builder = RestClient.builder(new HttpHost(uri.getHost(), uri.getPort(), uri.getScheme()))
                .setRequestConfigCallback(rc -> rc.setConnectTimeout(5_000).setSocketTimeout(60_000))
                .setHttpClientConfigCallback(hc -> {
                    hc.setMaxConnTotal(64).setMaxConnPerRoute(64);
                    if (ssl != null) hc.setSSLContext(ssl);
                    return hc;
                });
        if (authorization != null) builder.setDefaultHeaders(new Header[] {new BasicHeader("Authorization", authorization)});
        this.restClient = builder.build();
        this.transport = new RestClientTransport(restClient, new JacksonJsonpMapper());
        this.client = new ElasticsearchClient(transport);
        this.asyncClient = new ElasticsearchAsyncClient(transport);
    }

    public String url() {
        return url;
    }

    /**
     * Waits up to a second for yellow or green; otherwise an IOException that says why in terms ops
     * can act on: unreachable, not trusted (TLS), credentials refused or missing (401), too few
     * privileges (403), or the cluster's status.
     */
    public void requireHealthy() throws IOException {
        Request health = new Request("GET", "/_cluster/health");
        health.addParameter("wait_for_status", "yellow");
        health.addParameter("timeout", "1s");
        Response response;
        try {
            response = restClient.performRequest(health);
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            if (status == 401) {
                throw new IOException("Elasticsearch at " + url + " answered 401: " + (credentials.authenticates()
                        ? "it refused Platewarden's credentials (" + credentials + ")"
                        : "it needs credentials: set ES_USERNAME and ES_PASSWORD, or ES_API_KEY"), e);
            }
            if (status == 403) {
                throw new IOException("Elasticsearch at " + url + " answered 403: " + credentials
                        + " lacks the cluster privilege 'monitor' (docs/operations.md, \"Elasticsearch with security on\")", e);
            }
            // 408: not yellow within the timeout
            throw new IOException("Elasticsearch at " + url + " is not yellow or green (HTTP " + status + ")", e);
        } catch (javax.net.ssl.SSLException e) {
            throw new IOException("Elasticsearch at " + url + " is not trusted over TLS (" + e.getMessage()
                    + "): set ES_CA_CERT to the PEM file of the CA that signed its certificate", e);
        } catch (IOException e) {
            throw new IOException("Elasticsearch at " + url + " is not reachable: " + e, e);
        }
        String body = new String(response.getEntity().getContent().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!body.contains("\"status\":\"green\"") && !body.contains("\"status\":\"yellow\"")) {
            throw new IOException("Elasticsearch at " + url + " is not yellow or green: " + body);
        }
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
