package org.platewarden.gateway.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.platewarden.core.tls.LiveTls;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.platewarden.core.config.Camera;
import org.platewarden.core.config.GatewayConfig;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.net.AnswerNotWrittenException;
import org.platewarden.core.net.Answers;
import org.platewarden.core.net.HttpConnectionGuard;
import org.platewarden.core.net.InvalidRequests;
import org.platewarden.core.read.Rejection;
import org.platewarden.gateway.auth.BadCredentialsException;
import org.platewarden.gateway.auth.BasicCredentials;
import org.platewarden.gateway.auth.CameraAuthenticator;
import org.platewarden.gateway.ingest.Failures;
import org.platewarden.gateway.ingest.IngestItem;
import org.platewarden.gateway.ingest.IngestReport;
import org.platewarden.gateway.ingest.ItemRejection;
import org.platewarden.gateway.ingest.OverloadedException;
import org.platewarden.gateway.ingest.ReadIngestor;
import org.platewarden.core.log.ThrottledWarning;
import org.platewarden.gateway.ingest.SpoolHealth;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.platewarden.gateway.vendor.OpenAlprAdapter;
import org.platewarden.gateway.vendor.PlateRecognizerAdapter;
import org.platewarden.gateway.vendor.VendorAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP ingest on the gateway port: {@code POST /v1/reads} (object, array or NDJSON), the vendor
 * webhooks, health and metrics. A 202 is written only after the accepted reads are fsynced in the
 * spool and the refused ones in the dead-letter store; every failure goes through
 * {@link HttpErrorMapping}.
 */
public final class HttpIngestServer {
    public static final String STAGE = "gateway-http";
    static final String PROTOCOL = "http";
    private static final String VENDOR_PATH = "/v1/reads/";
    private static final Logger LOG = LoggerFactory.getLogger(HttpIngestServer.class);
    /**
     * A failed spool or dead-letter store refuses every request until it is mended: one line per
     * request flooded the log (10 000 lines in 10 s on a full disk), which on a full disk is itself
     * harm. One line per 10 s on every event loop together, with the count of those left out.
     */
    private static final ThrottledWarning SERVER_SIDE_REFUSALS = new ThrottledWarning(LOG::warn, 10, java.util.concurrent.TimeUnit.SECONDS, System::nanoTime);
    private static final ThrottledWarning INTERNAL_FAULTS = ThrottledWarning.withCause(LOG::error, 1, java.util.concurrent.TimeUnit.SECONDS, System::nanoTime);
    /** What the routes take, for a 415's message. */
    static final String NATIVE_TYPES = "application/json (one read or an array) or application/x-ndjson";
    static final String VENDOR_TYPES = "the vendor's JSON (application/json)";

    private final Vertx vertx;
    private final GatewayConfig config;
    private final CameraAuthenticator authenticator;
    private final ReadIngestor ingestor;
    private final SpoolHealth spoolHealth;
    private final GatewayMetrics metrics;
    private final ReadsBodyParser parser;
    /** one for every instance on the port: the per-address cap counts the port's connections */
    private final HttpConnectionGuard guard;
    private LiveTls tls = LiveTls.NONE;

    public HttpIngestServer(Vertx vertx, GatewayConfig config, CameraAuthenticator authenticator, ReadIngestor ingestor,
                            SpoolHealth spoolHealth, GatewayMetrics metrics, HttpConnectionGuard guard) {
        this.vertx = vertx;
        this.guard = guard;
        this.config = config;
        this.authenticator = authenticator;
        this.ingestor = ingestor;
        this.spoolHealth = spoolHealth;
        this.metrics = metrics;
        this.parser = new ReadsBodyParser(config.maxReadsPerRequest());
    }

    /** The node's TLS certificates, which a reload renews (default: the configured files, read once at listen). */
    public HttpIngestServer withTls(LiveTls tls) {
        this.tls = tls;
        return this;
    }

    public Future<HttpServer> listen(String host, int port) {
        // an idle timeout, and (the guard) a header deadline and a per-address cap: connections that
        // never finish a request would otherwise stay open until the process runs out of files
        HttpServerOptions options = HttpConnectionGuard.options(new HttpServerOptions().setHost(host).setPort(port),
                config.httpIdleTimeoutSeconds());
        // gateway.http_tls: the camera's Basic credentials and reads never cross the network in clear
        if (config.httpTls()) {
            options.setSsl(true).setKeyCertOptions(tls.keyCertOptions(LiveTls.HTTP_INGEST, config.tlsCertPath(), config.tlsKeyPath()));
        }
        // a request line or headers over their limits (414, 431), answered by Vert.x before any
        // route, get a JSON body in the gateway's error shape too
        return guard.install(vertx.createHttpServer(options), router(), InvalidRequests.json(options, JsonReply.JSON,
                (status, code, message) -> JsonReply.error(code, message))).listen();
    }

    /** The reasons a route can refuse a read or a body with: a vendor route's also the reads its adapter cannot map. */
    private static List<String> refusals(boolean vendor) {
        List<String> reasons = new ArrayList<>(Rejection.CODES);
        if (!vendor) reasons.remove(Rejection.VENDOR_FORMAT);
        reasons.add(FormBodies.UNSUPPORTED_MEDIA_TYPE);
        reasons.add(TransferCodings.UNSUPPORTED_TRANSFER_CODING);
        return reasons;
    }

    public Router router() {
        Router router = Router.router(vertx);
        // GET and HEAD alike (RFC 9110 9.1; load balancers probe with HEAD): the same status and
        // headers, and Vert.x sends a HEAD's answer without its body
        getOrHead(router, "/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
        getOrHead(router, "/health/ready").handler(this::ready);
        getOrHead(router, "/metrics").handler(this::metrics);

        // a compressed body or a form is refused on a route of its own, ahead of the ingest route:
        // Vert.x allows no handler before a BodyHandler on one route, and the BodyHandler must not
        // see a form
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.httpBodyLimitBytes());
        router.post("/v1/reads").handler(ctx -> refuseUnreadable(ctx, PROTOCOL, NATIVE_TYPES));
        router.post("/v1/reads").handler(body).handler(this::ingestNative);
        metrics.rejectable(PROTOCOL, PROTOCOL, refusals(false));
        for (VendorAdapter adapter : List.of(new OpenAlprAdapter(), new PlateRecognizerAdapter())) {
            metrics.rejectable(PROTOCOL, adapter.source(), refusals(true));
            router.post(VENDOR_PATH + adapter.source()).handler(ctx -> refuseUnreadable(ctx, adapter.source(), VENDOR_TYPES));
            router.post(VENDOR_PATH + adapter.source()).handler(body).handler(ctx -> ingestVendor(ctx, adapter));
        }
        router.route().failureHandler(this::failed);
        JsonRouteErrors.install(router);
        return router;
    }

    private static io.vertx.ext.web.Route getOrHead(Router router, String path) {
        return router.route(path).method(io.vertx.core.http.HttpMethod.GET).method(io.vertx.core.http.HttpMethod.HEAD);
    }

    private void ingestNative(RoutingContext ctx) {
        long start = System.nanoTime();
        String source = PROTOCOL;
        byte[] body = bodyBytes(ctx);
        boolean ndjson = ReadsBodyParser.isNdjson(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
        // the 202 only after the fsync; a throw while it is written is a 500 (failed → refuse), never no answer
        Answers.answer(ctx, authenticate(ctx)
                .compose(camera -> itemsOrDeadLetter(body, camera, source, () -> parser.parse(body, ndjson))
                        .compose(items -> ingestor.store(ingestor.prepare(items, camera, PROTOCOL, source, STAGE), PROTOCOL))),
                (c, report) -> accepted(c, report, start));
    }

    private void ingestVendor(RoutingContext ctx, VendorAdapter adapter) {
        long start = System.nanoTime();
        byte[] body = bodyBytes(ctx);
        Answers.answer(ctx, authenticate(ctx)
                .compose(camera -> itemsOrDeadLetter(body, camera, adapter.source(), () -> {
                            var tree = ReadsBodyParser.parseTree(body);
                            if (!tree.isObject()) {
                                // valid JSON, but no webhook body of the product: its format's refusal, not invalid_json
                                String product = adapter.product();
                                throw new HttpProblem(400, Rejection.VENDOR_FORMAT, ("AEIOU".indexOf(product.charAt(0)) >= 0 ? "an " : "a ") + product
                                        + " webhook body is one JSON object, not " + (tree.isArray() ? "a JSON array (one webhook call per request)"
                                        : "a JSON " + tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
                            }
                            return parser.atMostMax(adapter.toReads(tree, () -> body, camera));
                        })
                        .compose(items -> ingestor.store(ingestor.prepare(items, camera, PROTOCOL, adapter.source(), STAGE), PROTOCOL))),
                (c, report) -> accepted(c, report, start));
    }

    /**
     * A body the ingest route cannot read: compressed (the gateway does not decompress), or a form
     * or multipart body, which BodyHandler would decode into form attributes. 415 instead, with its
     * bytes as received (read here, bounded by the body limit) dead-lettered. Authentication still
     * comes first, as on every ingest request: the dead letter names the camera, and a request
     * without valid credentials gets its 401 and leaves no dead letter. Anything else goes on to
     * the BodyHandler.
     */
    private void refuseUnreadable(RoutingContext ctx, String source, String accepted) {
        HttpProblem problem = unreadable(ctx, accepted);
        if (problem == null && expectsContinue(ctx)) {
            // a client that waits for 100 Continue (curl above 1 KiB) has sent no body yet: its
            // credentials are checked first, so a wrong secret is answered 401 before the client is
            // invited to upload up to the body limit for nothing. Paused while PBKDF2 runs on its
            // worker; the BodyHandler resumes the request and sends the 100 Continue
            ctx.request().pause();
            authenticate(ctx)
                    .onSuccess(camera -> {
                        ctx.put(CAMERA, camera);
                        ctx.next();
                    })
                    .onFailure(err -> refuse(ctx, err));
            return;
        }
        if (problem == null) {
            ctx.next();
            return;
        }
        Future<Buffer> raw = RawBody.read(ctx.request(), config.httpBodyLimitBytes());
        raw.compose(bytes -> authenticate(ctx))
                .compose(camera -> refuseWhole(camera, source, problem, raw.result().getBytes()))
                .onFailure(err -> {
                    Throwable cause = Failures.unwrap(err);
                    if (cause instanceof HttpProblem p && p.status() == 413) {
                        refuseUnread(ctx, source, p);
                        return;
                    }
                    // RFC 7694: a 415 for a content coding lists the codings the server does accept
                    if (cause == problem && !ContentEncodings.isIdentity(encodings(ctx))) ctx.response().putHeader(HttpHeaders.ACCEPT_ENCODING, "identity");
                    refuse(ctx, err);
                });
    }

    /**
     * Why the body cannot go to the BodyHandler, or null. The codings first: a compressed form is
     * unreadable as a form too; the transfer coding before the content coding, as it is undone first.
     */
    private static HttpProblem unreadable(RoutingContext ctx, String accepted) {
        List<String> transfer = ctx.request().headers().getAll(HttpHeaders.TRANSFER_ENCODING);
        if (!TransferCodings.isChunkedOnly(transfer)) return TransferCodings.refusal(transfer);
        List<String> encodings = encodings(ctx);
        if (!ContentEncodings.isIdentity(encodings)) return ContentEncodings.refusal(encodings);
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        return FormBodies.isForm(contentType) ? FormBodies.refusal(contentType, accepted) : null;
    }

    private static List<String> encodings(RoutingContext ctx) {
        return ctx.request().headers().getAll(HttpHeaders.CONTENT_ENCODING);
    }

    /**
     * Parses the body; one refused whole (unparseable: 400, more reads than one request may carry:
     * 413) is dead-lettered, so it leaves a trace, before the answer.
     */
    private Future<List<IngestItem>> itemsOrDeadLetter(byte[] body, Camera camera, String source, Supplier<List<IngestItem>> parse) {
        try {
            return Future.succeededFuture(parse.get());
        } catch (HttpProblem p) {
            return refuseWhole(camera, source, p, body);
        }
    }

    /**
     * A body over {@code http_body_limit_bytes}, refused before it was read whole. Authenticated
     * first like every ingest request (no valid credentials: 401, and no dead letter, or anyone
     * could fill the disk); then dead-lettered without payload — the bytes were never kept — so
     * ops still see which camera sent how much; then 413.
     */
    private void refuseUnread(RoutingContext ctx, String source, HttpProblem p) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        String reason = p.code() + ": " + p.getMessage() + (length == null ? "" : " (Content-Length " + length + ")")
                + "; refused unread, so no payload is kept";
        authenticate(ctx)
                .compose(camera -> {
                    metrics.rejected(PROTOCOL, source, p.code());
                    return ingestor.deadLetter(List.of(DeadLetter.withoutPayload(STAGE, camera.id(), reason)));
                })
                .onSuccess(v -> refuse(ctx, p))
                .onFailure(err -> refuse(ctx, err));
    }

    /** A body refused as a whole: counted, dead-lettered as it came, then failed with the problem. */
    private <T> Future<T> refuseWhole(Camera camera, String source, HttpProblem p, byte[] body) {
        metrics.rejected(PROTOCOL, source, p.code());
        DeadLetter letter = DeadLetter.of(STAGE, camera.id(), null, p.code() + ": " + p.getMessage(), body);
        return ingestor.deadLetter(List.of(letter)).compose(v -> Future.failedFuture(p));
    }

    /** The camera this request was authenticated as before its body was read (or null). */
    private static final String CAMERA = "pw.camera";

    private static boolean expectsContinue(RoutingContext ctx) {
        return "100-continue".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.EXPECT));
    }

    private Future<Camera> authenticate(RoutingContext ctx) {
        Camera known = ctx.get(CAMERA);
        if (known != null) return Future.succeededFuture(known);
        BasicCredentials creds = BasicCredentials.parse(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (creds == null) return Future.failedFuture(new BadCredentialsException());
        return authenticator.authenticate(creds.cameraId(), creds.secret());
    }

    private void accepted(RoutingContext ctx, IngestReport report, long start) {
        JsonArray rejected = new JsonArray();
        for (ItemRejection r : report.rejected()) {
            rejected.add(new JsonObject().put("index", r.index()).put("code", r.rejection().code()).put("reason", r.rejection().reason()));
        }
        JsonReply.send(ctx, 202, JsonReply.JSON, acceptedEncoder.apply(new JsonObject().put("accepted", report.accepted()).put("rejected", rejected)));
        metrics.ackLatency(PROTOCOL, start);
    }

    /** How a 202's body becomes text: JSON encoding. */
    private java.util.function.Function<JsonObject, String> acceptedEncoder = JsonObject::encode;

    /** Tests: a 202's body encoded with {@code encoder} (one that throws, as a serialiser's bug would). */
    void encodeAcceptedWith(java.util.function.Function<JsonObject, String> encoder) {
        this.acceptedEncoder = encoder;
    }

    /**
     * Answers a failure ({@link HttpErrorMapping}); called from callbacks, so a throw while the answer
     * is written ends in a bare 500 (or a reset connection) instead of no answer at all.
     */
    private void refuse(RoutingContext ctx, Throwable err) {
        Answers.lastResort(ctx, () -> answerFailure(ctx, err), LAST_RESORT);
    }

    /** The 500 written without a serialiser when even a refusal's answer throws. */
    private static final String LAST_RESORT = JsonReply.error("internal_error", HttpErrorMapping.ANSWER_NOT_WRITTEN).encode();

    private void answerFailure(RoutingContext ctx, Throwable err) {
        Throwable cause = Failures.unwrap(err);
        if (cause instanceof AnswerNotWrittenException) {
            // a 202 (or health answer) that threw: a bug, logged whole; the reads it acknowledged are in the spool
            LOG.error("{} {}: its answer could not be written; answering 500", ctx.request().method(), ctx.request().path(), cause.getCause());
            ctx.response().headers().clear();
        }
        if (cause instanceof io.vertx.core.http.HttpClosedException) {
            // the client went away, or a stop's grace period ended, before the body was whole:
            // nothing was stored, nobody is left to answer, and it is no server error
            LOG.debug("ingest request closed before its body was whole: {}", cause.toString());
            return;
        }
        if (cause instanceof BadCredentialsException) metrics.authFailure(PROTOCOL);
        if (cause instanceof OverloadedException) metrics.overloaded(PROTOCOL, "auth");
        HttpErrorMapping m = HttpErrorMapping.of(cause);
        // (an answer that could not be written is logged whole above)
        if (m.status() == 500 && !(cause instanceof AnswerNotWrittenException)) {
            // a fault no refusal fits: a bug, logged with its stack trace (at most one a second, counting the rest)
            INTERNAL_FAULTS.warn(ctx.request().method() + " " + ctx.request().path() + " answered 500: " + cause, cause);
        } else if (m.status() >= 500 && !(cause instanceof AnswerNotWrittenException)) {
            SERVER_SIDE_REFUSALS.warn("ingest refused with " + m.status() + ": " + cause);
        }
        if (m.status() == 401) ctx.response().putHeader("WWW-Authenticate", HttpErrorMapping.REALM);
        if (m.retryAfterSeconds() != null) ctx.response().putHeader(HttpHeaders.RETRY_AFTER, m.retryAfterSeconds().toString());
        json(ctx, m.status(), m.body());
    }

    private void failed(RoutingContext ctx) {
        if (ctx.response().ended()) return;
        if (ctx.statusCode() == 413) {
            // BodyHandler's refusal of a body over the limit, on one of the ingest routes
            String path = ctx.request().path();
            String source = path.startsWith(VENDOR_PATH) ? path.substring(VENDOR_PATH.length()) : PROTOCOL;
            refuseUnread(ctx, source, new HttpProblem(413, Rejection.TOO_LARGE, "body larger than " + config.httpBodyLimitBytes() + " bytes"));
        } else if (ctx.failure() != null && routerRefusal(ctx)) {
            // Vert.x Web refused the request itself, before any route (an HTTP/1.1 request without Host:
            // 400, RFC 9112 3.2): the client's error as the router says, not the 500 of an internal one
            Throwable cause = Failures.unwrap(ctx.failure());
            json(ctx, ctx.statusCode(), JsonReply.error(ctx.statusCode() == 400 ? "bad_request" : "http_" + ctx.statusCode(),
                    String.valueOf(cause.getMessage())));
        } else if (ctx.failure() != null) {
            refuse(ctx, ctx.failure());
        } else {
            json(ctx, ctx.statusCode(), JsonReply.error("http_" + ctx.statusCode(), "request failed with HTTP status " + ctx.statusCode()));
        }
    }

    /** A client error the router answered with a status of its own, for a failure no ingest mapping knows. */
    private static boolean routerRefusal(RoutingContext ctx) {
        return ctx.statusCode() >= 400 && ctx.statusCode() < 500 && HttpErrorMapping.of(ctx.failure()).status() == 500;
    }

    private void ready(RoutingContext ctx) {
        boolean ok = spoolHealth.writable();
        json(ctx, ok ? 200 : 503, new JsonObject().put("status", ok ? "UP" : "DOWN").put("spool", spoolHealth.describe()));
    }

    private void metrics(RoutingContext ctx) {
        if (metrics.registry() instanceof PrometheusMeterRegistry prometheus) {
            JsonReply.send(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape());
        } else {
            json(ctx, 404, new JsonObject().put("error", "no Prometheus registry configured"));
        }
    }

    private static byte[] bodyBytes(RoutingContext ctx) {
        return ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        JsonReply.send(ctx, status, body);
    }
}
