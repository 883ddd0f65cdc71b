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
import org.apache.http.client.config.RequestConfig;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RequestOptions;
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
    /** How long a request waits for its TCP connection (and TLS handshake) to Elasticsearch. */
    public static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /**
     * How long a request waits for Elasticsearch's next byte unless it sets its own timeout
     * ({@link #withTimeout}): a cluster that stops answering (a hung process, a full GC, a network
     * that drops packets) fails the request after this long rather than never.
     */
    public static final int SOCKET_TIMEOUT_MILLIS = 60_000;
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
                .setRequestConfigCallback(rc -> rc.setConnectTimeout(CONNECT_TIMEOUT_MILLIS).setSocketTimeout(SOCKET_TIMEOUT_MILLIS))
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
     * {@code options} for a request that fails once it has waited {@code timeoutMillis} for any one
     * thing: a connection from the client's pool (all 64 may be taken by requests to a cluster that
     * stopped answering), the TCP connection (at most {@link #CONNECT_TIMEOUT_MILLIS}), or Elasticsearch's
     * next byte (the socket timeout; a cluster that is computing the answer sends nothing until it is
     * done, so that is the wait for the answer). The low-level client sets a request's own
     * {@code RequestConfig} on it whole, in place of the client's default, so the connect timeout is
     * restated here. A request that fails this way may still have been carried out by Elasticsearch.
     */
    public static RequestOptions withTimeout(RequestOptions options, int timeoutMillis) {
        if (timeoutMillis < 1) throw new IllegalArgumentException("timeout must be positive, not " + timeoutMillis);
        return options.toBuilder().setRequestConfig(RequestConfig.custom()
                .setConnectTimeout(Math.min(CONNECT_TIMEOUT_MILLIS, timeoutMillis))
                .setConnectionRequestTimeout(timeoutMillis)
                .setSocketTimeout(timeoutMillis)
                .build()).build();
    }

    /**
     * Whether a request failed because it waited too long ({@link #withTimeout}, or the client's
     * defaults): for the socket (no answer), the connection, or a connection from the pool.
     */
    public static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.io.InterruptedIOException || t instanceof java.util.concurrent.TimeoutException) return true;
        }
        return false;
    }

    /**
     * Whether a request failed before it was sent, so Elasticsearch cannot have carried it out: the
     * connection was refused (nothing listens: the cluster is down), could not be made in time, or
     * the host is unknown or unreachable. A request that failed after it was sent (a timeout waiting
     * for the answer, a connection broken before it came) may have been carried out; so may one that
     * waited for a connection from the pool, which this does not tell apart, and is counted so.
     */
    public static boolean notSent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof org.apache.http.conn.ConnectTimeoutException
                    || t instanceof java.net.UnknownHostException || t instanceof java.net.NoRouteToHostException) return true;
        }
        return false;
    }

    /**
     * Whether a request failed because Elasticsearch could not be reached or did not answer: a
     * connection refused or broken, a timeout ({@link #timedOut}), no answer at all. A temporary
     * unavailability, to retry; not an answer with an error status, nor an answer that could not be read.
     */
    public static boolean unreachable(Throwable failure) {
        if (timedOut(failure) || notSent(failure)) return true;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketException || t instanceof org.apache.http.ConnectionClosedException
                    || t instanceof org.apache.http.NoHttpResponseException) return true;
        }
        return false;
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
