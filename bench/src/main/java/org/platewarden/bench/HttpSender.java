package org.platewarden.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One HTTP ingest connection: one request in flight at a time (POST /v1/reads with a JSON array of
 * {@code batch} reads). A read counts as acknowledged only when the 202 response lists it as
 * accepted; 429/503 re-send the same batch after Retry-After (latency keeps counting from the
 * original due time).
 */
public final class HttpSender extends VerticleBase {
    private final String host;
    private final int port;
    private final String path;
    private final int batch;
    private final LoadControl control;
    private final ReadFactory reads;
    private final AckLog ackLog;
    private final ConnectionStats stats;
    private final Promise<Void> done;
    private final String authorization;
    private final ArrayDeque<Batch> prebuilt = new ArrayDeque<>();
    private HttpClient client;

    public HttpSender(String host, int port, String path, int batch, LoadControl control, ReadFactory reads, AckLog ackLog,
                      ConnectionStats stats, Promise<Void> done) {
        this.host = host;
        this.port = port;
        this.path = path;
        this.batch = batch;
        this.control = control;
        this.reads = reads;
        this.ackLog = ackLog;
        this.stats = stats;
        this.done = done;
        String camera = reads.cameraId();
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((camera + ":" + DemoCameras.secret(camera)).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Future<?> start() {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(1));
        return Future.succeededFuture();
    }

    /**
     * Builds the request bodies of up to {@code reads} reads now, in whole batches, before the clock
     * starts: the e2e scenario's raw-ceiling sender sends bulk bodies built before its clock, so
     * building read JSON during the timed run would charge the generator's CPU (on the same CPUs)
     * to Platewarden's side of the ratio only. A send finds a built batch if one is left, else
     * builds its reads as it goes. Call before deployment.
     */
    public void prebuild(long reads) {
        for (long left = reads; left >= batch; left -= batch) prebuilt.add(build(batch));
    }

    /** Starts sending (after {@link LoadControl#begin()}). */
    public void begin() {
        context.runOnContext(v -> sendNext());
    }

    private void sendNext() {
        int n = control.claim(batch);
        if (n == 0) {
            done.tryComplete();
            return;
        }
        long due = control.pacer().nextDue();
        Batch b = n == batch && !prebuilt.isEmpty() ? prebuilt.poll() : build(n);
        long delayMillis = (due - System.nanoTime()) / 1_000_000;
        if (delayMillis >= 1) vertx.setTimer(delayMillis, t -> post(b, due));
        else post(b, due);
    }

    private Batch build(int n) {
        List<String> ids = new ArrayList<>(n);
        Buffer body = Buffer.buffer(n * 420);
        body.appendByte((byte) '[');
        for (int i = 0; i < n; i++) {
            ReadFactory.Read read = reads.next();
            if (i > 0) body.appendByte((byte) ',');
            body.appendBytes(read.json());
            ids.add(read.id());
        }
        body.appendByte((byte) ']');
        return new Batch(ids, body);
    }

    private void post(Batch b, long due) {
        stats.sent(System.nanoTime());
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI(path)
                .putHeader("content-type", "application/json").putHeader("authorization", authorization);
        client.request(options)
                .compose(req -> req.send(b.body))
                .compose(resp -> resp.body().map(body -> new Response(resp.statusCode(), resp.getHeader("retry-after"), body)))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        stats.error(String.valueOf(ar.cause()));
                        retryOrNext(b, due, 100);
                    } else {
                        handle(ar.result(), b, due);
                    }
                });
    }

    private void handle(Response r, Batch b, long due) {
        if (r.status == 202 || r.status == 200) {
            JsonObject json = new JsonObject(r.body);
            JsonArray rejected = json.getJsonArray("rejected", new JsonArray());
            List<String> accepted = b.ids;
            if (!rejected.isEmpty()) {
                Set<Integer> bad = new HashSet<>();
                for (int i = 0; i < rejected.size(); i++) bad.add(rejected.getJsonObject(i).getInteger("index"));
                accepted = new ArrayList<>(b.ids.size());
                for (int i = 0; i < b.ids.size(); i++) if (!bad.contains(i)) accepted.add(b.ids.get(i));
                stats.rejectedReads += bad.size();
                if (stats.firstError == null) stats.firstError = "rejected: " + rejected.getJsonObject(0).encode();
            }
            stats.acked(accepted.size(), due);
            ackLog.acknowledged(accepted);
            sendNext();
        } else if (r.status == 429 || r.status == 503) {
            stats.busyResponses++;
            retryOrNext(b, due, retryAfterMillis(r.retryAfter));
        } else {
            stats.error("HTTP " + r.status + ": " + r.body.toString(StandardCharsets.UTF_8));
            sendNext();
        }
    }

    /** Busy or broken connection: re-send the same reads later, unless the run is over (then they are simply not acknowledged). */
    private void retryOrNext(Batch b, long due, long delayMillis) {
        if (control.expired()) {
            done.tryComplete();
            return;
        }
        vertx.setTimer(delayMillis, t -> post(b, due));
    }

    private static long retryAfterMillis(String header) {
        try {
            return header == null ? 50 : Math.max(10, Math.min(1000, (long) (Double.parseDouble(header) * 1000)));
        } catch (NumberFormatException e) {
            return 50;
        }
    }

    @Override
    public Future<?> stop() {
        return client == null ? Future.succeededFuture() : client.close();
    }

    private record Batch(List<String> ids, Buffer body) {
    }

    private record Response(int status, String retryAfter, Buffer body) {
    }
}
