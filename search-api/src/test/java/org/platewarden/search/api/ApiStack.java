package org.platewarden.search.api;

import static org.platewarden.search.audit.AuditEsSupport.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.platewarden.core.config.ConfigReload;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.net.PlatewardenVertx;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.search.audit.AnonymousBudget;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.ClientAddress;
import org.platewarden.search.audit.AuditEsSupport;
import org.platewarden.search.audit.AuditJournal;
import org.platewarden.search.audit.JournalFaults;
import org.platewarden.search.audit.CanonicalJson;
import org.platewarden.search.audit.ChainedAuditLog;
import org.platewarden.search.audit.RefusedRecordBudget;
import org.platewarden.search.auth.Principal;
import org.platewarden.search.query.SearchLimits;
import org.platewarden.search.query.SearchService;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * One search-api server for a test: real Elasticsearch (templates under a fresh prefix), the real
 * audit log, and small in-memory stand-ins for the search, holds and ops backends (which belong to
 * other modules). The search stand-in audits its outcomes the way the search service must.
 */
final class ApiStack implements AutoCloseable {
    private static final String JWT_SECRET = "api-stack-test-secret-of-at-least-32-chars";

    /** A bearer token for any user, agency and roles, valid for an hour. */
    String jwt(String user, String agency, String... roles) {
        return jwt(new JsonObject(), user, agency, roles);
    }

    /** The same with more claims ({@code aud}, say). */
    String jwt(JsonObject claims, String user, String agency, String... roles) {
        io.vertx.ext.auth.jwt.JWTAuth signer = io.vertx.ext.auth.jwt.JWTAuth.create(vertx, new io.vertx.ext.auth.jwt.JWTAuthOptions()
                .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256").setBuffer(JWT_SECRET)));
        return signer.generateToken(claims.copy().put("agency", agency).put("roles", new JsonArray(List.of(roles))),
                new io.vertx.ext.auth.JWTOptions().setAlgorithm("HS256").setExpiresInMinutes(60).setSubject(user));
    }

    /** The address a trusted proxy connects from ({@link #postFrom}). */
    static final String TRUSTED_PROXY = "127.0.0.2";
    final String prefix;
    final PlatewardenConfig config;
    /** the agencies, tokens and JWT keys in force: a test reloads them through {@code POST /v1/ops/config/reload} */
    final LiveCredentials credentials;
    /** what the ops stand-in's reload reads as the configuration file ({@link #opsApi}) */
    volatile java.util.function.Supplier<PlatewardenConfig> reloadSource;
    final ElasticsearchConnection es;
    final ChainedAuditLog auditLog;
    final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** as a node makes it: its servers' connections bounded ({@link PlatewardenVertx}) */
    final Vertx vertx = PlatewardenVertx.create(new VertxOptions(), metrics);
    final List<Principal> searchCallers = new CopyOnWriteArrayList<>();
    final Map<String, JsonObject> holds = new ConcurrentHashMap<>();
    final WebClient client;
    final int port;

    private String deploymentId;
    private SearchApiVerticle verticle;

    ApiStack(Path dataDir) {
        this(dataDir, null, prefix -> { });
    }

    /**
     * @param anonymousBudget the budget for anonymous records (null: the config's, on the system clock)
     * @param beforeStart     run with the stack's index prefix before the templates are installed (an
     *                        older node's indices, say)
     */
    ApiStack(Path dataDir, AnonymousBudget anonymousBudget, Consumer<String> beforeStart) {
        this(dataDir, anonymousBudget, beforeStart, new JsonObject());
    }

    /** @param searchOverrides more of the search section (connection limits, say) */
    ApiStack(Path dataDir, AnonymousBudget anonymousBudget, Consumer<String> beforeStart, JsonObject searchOverrides) {
        this(dataDir, anonymousBudget, null, beforeStart, searchOverrides, new JsonObject());
    }

    /** @param configOverrides merged into the whole config last ({@code {"jwt":{"audience":…}}}, say) */
    ApiStack(Path dataDir, JsonObject configOverrides) {
        this(dataDir, null, null, prefix -> { }, new JsonObject(), configOverrides);
    }

    /**
     * A stack whose {@code POST /v1/search} is the real search service (on this stack's Elasticsearch
     * prefix, which holds no reads: an allowed search finds nothing), sharing {@code refusedBudget}
     * with the server as the application wires them.
     *
     * @param refusedBudget the budget for authenticated callers' refused records (the test's clock and bounds)
     */
    ApiStack(Path dataDir, RefusedRecordBudget refusedBudget, JsonObject searchOverrides) {
        this(dataDir, null, config -> refusedBudget, prefix -> { }, searchOverrides, new JsonObject());
    }

    /**
     * The same on the data dir and indices of a stack that {@link #crash crashed}: the node started
     * again, as after a kill.
     */
    ApiStack(ApiStack crashed, Path dataDir, RefusedRecordBudget refusedBudget, JsonObject searchOverrides) {
        this(crashed.prefix, dataDir, null, config -> refusedBudget, prefix -> { }, searchOverrides, new JsonObject(),
                ElasticsearchFixture.url(), null);
    }

    /**
     * A stack on the real search service (as {@link #ApiStack(Path, RefusedRecordBudget, JsonObject)})
     * that reaches Elasticsearch at {@code esUrl} (a proxy that can stop answering, say) and whose
     * audit log writes the journal {@code journalOf} gives for the stack's configuration (one whose
     * writes fail when told, say).
     */
    static ApiStack withElasticsearchAndJournal(Path dataDir, JsonObject searchOverrides, String esUrl,
                                                java.util.function.Function<PlatewardenConfig, AuditJournal> journalOf) {
        return new ApiStack(ElasticsearchFixture.uniquePrefix("api"), dataDir, null, config -> RefusedRecordBudget.of(120), prefix -> { },
                searchOverrides, new JsonObject(), esUrl, journalOf);
    }

    /**
     * The same, with the budget for refused records the application builds from the configuration
     * ({@code search.refused_records_per_minute_per_user} among {@code searchOverrides}; one-minute
     * windows on the system clock).
     */
    static ApiStack withConfiguredRefusedBudget(Path dataDir, JsonObject searchOverrides) {
        return new ApiStack(dataDir, null, config -> RefusedRecordBudget.of(config.search().refusedRecordsPerMinutePerUser()), prefix -> { },
                searchOverrides, new JsonObject());
    }

    /** @param refusedBudgetOf the budget for refused records from the stack's configuration; null: the stand-in search service */
    private ApiStack(Path dataDir, AnonymousBudget anonymousBudget, java.util.function.Function<PlatewardenConfig, RefusedRecordBudget> refusedBudgetOf,
                     Consumer<String> beforeStart, JsonObject searchOverrides, JsonObject configOverrides) {
        this(ElasticsearchFixture.uniquePrefix("api"), dataDir, anonymousBudget, refusedBudgetOf, beforeStart, searchOverrides, configOverrides,
                ElasticsearchFixture.url(), null);
    }

    /**
     * @param esUrl     where the stack's server reaches Elasticsearch
     * @param journalOf the audit journal for the stack's configuration; null: the configured one
     */
    private ApiStack(String prefix, Path dataDir, AnonymousBudget anonymousBudget,
                     java.util.function.Function<PlatewardenConfig, RefusedRecordBudget> refusedBudgetOf, Consumer<String> beforeStart,
                     JsonObject searchOverrides, JsonObject configOverrides, String esUrl,
                     java.util.function.Function<PlatewardenConfig, AuditJournal> journalOf) {
        this.prefix = prefix;
        config = PlatewardenConfig.demoConfig().with(new JsonObject()
                .put("index_prefix", prefix).put("data_dir", dataDir.toString()).put("node_id", "node-t")
                .put("search", new JsonObject().put("port", 0).put("host", "127.0.0.1").put("http_body_limit_bytes", 4096)
                        // a proxy the tests can connect from (ForwardedClientIT); the usual client, 127.0.0.1, is not one
                        .put("trusted_proxies", new JsonArray().add(TRUSTED_PROXY)).mergeIn(searchOverrides))
                // callers the demo tokens do not cover (another agency's auditor): minted by jwt()
                .put("jwt", new JsonObject().put("algorithm", "HS256").put("secret", JWT_SECRET)).mergeIn(configOverrides, true).encode());
        credentials = LiveCredentials.of(config);
        reloadSource = () -> config;
        es = new ElasticsearchConnection(esUrl);
        try {
            beforeStart.accept(prefix);
            AuditEsSupport.installTemplates(es.rest(), prefix);
            auditLog = await(journalOf == null ? ChainedAuditLog.open(vertx, config, es.rest(), metrics)
                    : JournalFaults.open(vertx, config, es.rest(), metrics, journalOf.apply(config)));
            if (refusedBudgetOf != null) {
                RefusedRecordBudget refusedBudget = refusedBudgetOf.apply(config);
                SearchService service = new SearchService(vertx, config, es.rest(), auditLog, java.time.Clock.systemUTC(),
                        OcrFolding.defaults(), SearchLimits.of(config.search()), metrics, refusedBudget);
                verticle = new SearchApiVerticle(config, es, auditLog, (p, body, addr) -> service.search(p, body, addr)
                        .map(o -> new SearchResponse(o.status(), o.body(), o.retryAfterSeconds())), holdsApi(), opsApi(), metrics,
                        AnonymousBudget.of(config.search().anonymousRecordsPerMinutePerAddress(), config.search().anonymousRecordsPerMinute()),
                        refusedBudget);
            } else {
                verticle = anonymousBudget == null
                        ? new SearchApiVerticle(config, es, auditLog, this::search, holdsApi(), opsApi(), metrics)
                        : new SearchApiVerticle(config, es, auditLog, this::search, holdsApi(), opsApi(), metrics, anonymousBudget);
            }
            deploymentId = await(vertx.deployVerticle(verticle.withCredentials(credentials)));
        } catch (RuntimeException | AssertionError e) {
            ElasticsearchFixture.deletePrefix(prefix); // no test indices left behind by a failed start
            throw e;
        }
        port = verticle.actualPort();
        client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    }

    /** Stand-in search service: audits every outcome, refuses purposes outside the allowed list. */
    private Future<SearchResponse> search(Principal principal, JsonObject body, ClientAddress client) {
        searchCallers.add(principal);
        String purpose = body.getString("purpose");
        boolean allowed = config.search().allowedPurposes().contains(purpose);
        int status = allowed ? 200 : 403;
        AuditEntry entry = new AuditEntry("search", principal.user(), principal.agency(), principal.roles(), purpose,
                body.getString("case_number"), CanonicalJson.parse(body.encode()), null,
                allowed ? "allowed" : "refused", allowed ? null : "purpose not allowed", status, allowed ? 1 : 0,
                allowed ? List.of("cam-001:1:ABC1234") : List.of()).from(client);
        return auditLog.record(entry).map(record -> new SearchResponse(status, allowed
                ? unencodableIfAsked(body, new JsonObject().put("audit_id", record.auditId()).put("total", 1).put("hits", new JsonArray()))
                : new JsonObject().put("audit_id", record.auditId()).put("error", "purpose not allowed")));
    }

    /** The case number of a search whose answer the stand-in makes unencodable: its route throws while writing it. */
    static final String UNENCODABLE_CASE = "UNENCODABLE-1";

    /** A value no JSON encoder can write (an answer holding it throws as it is written, as a serialiser's bug would). */
    static final Object UNENCODABLE = new Object();

    private static JsonObject unencodableIfAsked(JsonObject request, JsonObject answer) {
        return UNENCODABLE_CASE.equals(request.getString("case_number")) ? answer.put("unencodable", UNENCODABLE) : answer;
    }

    /** What the ops stand-in's retention run answers, from what it did (a test makes it unencodable). */
    volatile java.util.function.UnaryOperator<JsonObject> retentionAnswer = java.util.function.UnaryOperator.identity();

    /** How many read ids the stand-in's created holds name at most (the real cap is {@link HoldsApi#MAX_RELEASE_READ_IDS}). */
    volatile int heldReadIdsListed = HoldsApi.MAX_RELEASE_READ_IDS;
    /** Run by a create once its hold is made, before its hold_copy record is written (the audit trail failing meanwhile, say). */
    volatile java.util.function.Supplier<Future<Void>> beforeCopyRecorded = () -> Future.succeededFuture();

    /** A create request with this reason fails after it was recorded, as a copy that Elasticsearch refuses midway would. */
    static final String FAILS_AFTER_INTENT = "fails after its intent record";
    /** Run by such a create before it fails (the audit index going down with the holds index, say); completes when it is done. */
    volatile java.util.function.Supplier<Future<Void>> beforeCreateFails = () -> Future.succeededFuture();

    /**
     * Stand-in hold service: refuses without Elasticsearch what the real one's check refuses first
     * (a missing reason or until, an until in the past), keeps holds by id per agency, and keeps a
     * released hold (marked) as the real one keeps its definition.
     */
    private HoldsApi holdsApi() {
        return new HoldsApi() {
            @Override
            public void check(Principal principal, JsonObject request) {
                if (request.getString("reason") == null) throw new IllegalArgumentException("a hold needs a reason");
                if (request.getString("until") == null) throw new IllegalArgumentException("a hold needs an until date");
                if (!Instant.parse(request.getString("until")).isAfter(Instant.now())) {
                    throw new IllegalArgumentException("until " + request.getString("until") + " is not in the future");
                }
            }

            @Override
            public String newHoldId() {
                return "hold-" + UUID.randomUUID();
            }

            @Override
            public Future<Void> checkMatches(Principal principal, JsonObject request) {
                return Future.succeededFuture();
            }

            @Override
            public Future<Created> create(Principal principal, String holdId, JsonObject request) {
                if (FAILS_AFTER_INTENT.equals(request.getString("reason"))) {
                    return beforeCreateFails.get().transform(ar -> Future.failedFuture(
                            new IllegalStateException("copying read r1 into the holds index failed")));
                }
                JsonObject hold = request.copy().put("hold_id", holdId).put("agency", principal.agency()).put("created_by", principal.user());
                holds.put(holdId, hold);
                // the stand-in keeps no copies: it holds the read ids it was asked for, and names the first heldReadIdsListed by read id
                List<String> held = hold.getJsonArray("read_ids", new JsonArray()).stream().map(String::valueOf).sorted().toList();
                return beforeCopyRecorded.get().map(v -> new Created(hold.copy(), held.size(), held.subList(0, Math.min(held.size(), heldReadIdsListed))));
            }

            @Override
            public Future<JsonArray> list(Principal principal) {
                return Future.succeededFuture(new JsonArray(holds.values().stream().filter(h -> h.getString("agency").equals(principal.agency())).toList()));
            }

            @Override
            public Future<JsonObject> find(Principal principal, String holdId) {
                JsonObject hold = holds.get(holdId);
                return hold == null || !hold.getString("agency").equals(principal.agency())
                        ? Future.failedFuture(new NoSuchElementException("no hold " + holdId + " for agency " + principal.agency()))
                        : Future.succeededFuture(hold.copy());
            }

            @Override
            public Future<JsonObject> heldReads(Principal principal, String holdId) {
                // the stand-in keeps no copies: the read ids the hold was asked for
                return find(principal, holdId).map(hold -> {
                    JsonArray ids = hold.getJsonArray("read_ids", new JsonArray());
                    return new JsonObject().put("count", ids.size()).put("read_ids", ids);
                });
            }

            @Override
            public Future<JsonObject> release(Principal principal, String holdId) {
                return find(principal, holdId).map(hold -> {
                    holds.put(holdId, hold.put("released", true));
                    return hold;
                });
            }

            @Override
            public Future<JsonObject> checkExtension(Principal principal, String holdId, JsonObject request) {
                return find(principal, holdId).map(hold -> {
                    String until = request.getString("until");
                    if (until == null || !Instant.parse(until).isAfter(Instant.parse(hold.getString("until")))) {
                        throw new IllegalArgumentException("until " + until + " is not later than the hold's until " + hold.getString("until"));
                    }
                    return hold;
                });
            }

            @Override
            public Future<JsonObject> extend(Principal principal, String holdId, JsonObject request) {
                return checkExtension(principal, holdId, request).map(hold -> {
                    holds.put(holdId, hold.put("until", request.getString("until")));
                    return hold;
                });
            }
        };
    }

    /** How many retention and compaction runs the ops stand-in made. */
    final java.util.concurrent.atomic.AtomicInteger retentionRuns = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger compactionRuns = new java.util.concurrent.atomic.AtomicInteger();

    private OpsApi opsApi() {
        return new OpsApi() {
            @Override
            public Future<JsonArray> indices() {
                return Future.succeededFuture(new JsonArray().add(new JsonObject().put("index", prefix + "-reads-2026.01.01").put("deleted_by", "sweeper")));
            }

            @Override
            public Future<JsonObject> runRetention() {
                retentionRuns.incrementAndGet();
                return Future.succeededFuture(retentionAnswer.apply(new JsonObject().put("deleted", new JsonArray())));
            }

            @Override
            public Future<JsonObject> runCompaction() {
                compactionRuns.incrementAndGet();
                return Future.succeededFuture(new JsonObject().put("compacted", new JsonArray()));
            }

            @Override
            public Future<ConfigReload.Prepared> prepareConfigReload() {
                // as the node's: the file read and validated on a worker
                return vertx.executeBlocking(() -> ConfigReload.prepare(config, credentials, reloadSource), false);
            }
        };
    }

    /**
     * POSTs {@code body} from another loopback address (e.g. {@link #TRUSTED_PROXY}) over a plain
     * socket bound to it (the Vert.x 5.1 client does not bind {@code localAddress}); returns the
     * status code. {@code forwardedFor} is sent as {@code X-Forwarded-For} unless null.
     */
    int postFrom(String localAddress, String path, String token, String forwardedFor, JsonObject body) {
        byte[] content = body.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
                .append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n");
        if (token != null) head.append("Authorization: Bearer ").append(token).append("\r\n");
        if (forwardedFor != null) head.append("X-Forwarded-For: ").append(forwardedFor).append("\r\n");
        head.append("\r\n");
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.bind(new java.net.InetSocketAddress(localAddress, 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().write(content);
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return Integer.parseInt(response.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    HttpResponse<Buffer> send(HttpRequest<Buffer> request, String token) {
        if (token != null) request.bearerTokenAuthentication(token);
        return await(request.send());
    }

    HttpResponse<Buffer> sendJson(HttpRequest<Buffer> request, String token, Object body) {
        if (token != null) request.bearerTokenAuthentication(token);
        return await(request.sendBuffer(Buffer.buffer(body instanceof JsonObject j ? j.encode() : body.toString())));
    }

    HttpResponse<Buffer> search(String token, JsonObject body) {
        return sendJson(client.post("/v1/search"), token, body);
    }

    static JsonObject searchBody(String purpose, String caseNumber) {
        return new JsonObject().put("plate", "ABC12*").put("purpose", purpose).put("case_number", caseNumber);
    }

    /** Audit records straight from the index (after a refresh), newest last. */
    JsonArray auditRecords(String queryJson) {
        AuditEsSupport.call(es.rest(), "POST", "/" + config.auditIndex() + "/_refresh", null);
        var hits = AuditEsSupport.call(es.rest(), "POST", "/" + config.auditIndex() + "/_search",
                "{\"size\":1000,\"sort\":[{\"seq\":\"asc\"}],\"query\":" + queryJson + "}").path("hits").path("hits");
        JsonArray out = new JsonArray();
        hits.forEach(h -> out.add(new JsonObject(h.path("_source").toString())));
        return out;
    }

    static String term(String field, String value) {
        return "{\"term\":{\"" + field + "\":\"" + value + "\"}}";
    }

    /**
     * The records of {@code action} (a budget's summaries) once a window is closed: waits up to 20 s
     * for the tick that writes them, until at least {@code expected} are there.
     */
    JsonArray recordsAfterTheTick(String action, int expected) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        JsonArray found;
        do {
            found = auditRecords(term("action", action));
            if (found.size() >= expected) return found;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("expected " + expected + " " + action + " record(s), found " + found.encodePrettily());
    }

    /** The record an error answer names by its audit_id: it exists, and describes this answer. */
    JsonObject recordOf(HttpResponse<Buffer> answer) {
        String auditId = answer.bodyAsJsonObject().getString("audit_id");
        if (auditId == null) throw new AssertionError("no audit_id in " + answer.bodyAsString());
        JsonArray records = auditRecords("{\"term\":{\"audit_id\":\"" + auditId + "\"}}");
        if (records.size() != 1) throw new AssertionError("audit_id " + auditId + " names " + records.size() + " records");
        JsonObject record = records.getJsonObject(0);
        if (record.getInteger("status") != answer.statusCode()) {
            throw new AssertionError("record status " + record.getInteger("status") + ", answer " + answer.statusCode());
        }
        return record;
    }

    static Set<String> users(JsonArray records) {
        Set<String> users = new java.util.TreeSet<>();
        records.forEach(r -> users.add(((JsonObject) r).getString("user")));
        return users;
    }

    /** Stops the API server as a shutdown does (its verticle undeployed), keeping the audit log and indices to look at. */
    void stopServer() {
        await(vertx.undeploy(deploymentId));
    }

    /**
     * Stops the node as a kill would: the server goes, no summary is written, no tally saved (but for
     * a save under way, which is let finish so the file is whole), the audit log closes and its
     * journal's lock is let go. The indices stay, for a stack started on them and the same data dir
     * ({@link #ApiStack(ApiStack, Path, RefusedRecordBudget, JsonObject)}), whose close deletes them.
     * Not to be closed after.
     */
    void crash() {
        verticle.dropAtStop();
        await(vertx.undeploy(deploymentId));
        client.close();
        await(vertx.close());
        auditLog.close();
        es.close();
    }

    /**
     * An unauthenticated search sent from another loopback address (127.0.0.2 …), another client
     * address to the server: a plain socket bound to it, one request per connection. Returns the
     * status line's code and the body.
     */
    static Map.Entry<Integer, JsonObject> anonymousSearchFrom(String localAddress, int port) {
        byte[] body = searchBody("stolen_vehicle", "FROM-" + localAddress).encode().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.bind(new java.net.InetSocketAddress(localAddress, 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            String head = "POST /v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(answer.indexOf(' ') + 1, answer.indexOf(' ') + 4));
            return Map.entry(status, new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        await(vertx.close());
        auditLog.close();
        es.close();
        ElasticsearchFixture.deletePrefix(prefix);
    }
}
