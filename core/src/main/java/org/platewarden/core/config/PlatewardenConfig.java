package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.platewarden.core.spool.Spool;

/**
 * The whole typed configuration. Loaded from JSON: the file given by the operator is deep-merged
 * over {@code platewarden-defaults.json} (so a config only states what it changes), then bound to
 * these records and validated; {@link #validate()} reports every problem at once. Keys starting with
 * {@code _} are comments and ignored.
 */
public record PlatewardenConfig(
        @JsonProperty("node_id") String nodeId,
        @JsonProperty("data_dir") String dataDir,
        @JsonProperty("es_url") String esUrl,
        @JsonProperty("index_prefix") String indexPrefix,
        @JsonProperty("retention_days") int retentionDays,
        @JsonProperty("hold_max_days") int holdMaxDays,
        @JsonProperty("demo") boolean demo,
        @JsonProperty("shutdown_grace_seconds") int shutdownGraceSeconds,
        @JsonProperty("gateway") GatewayConfig gateway,
        @JsonProperty("spool") SpoolConfig spool,
        @JsonProperty("deadletter") DeadLetterConfig deadletter,
        @JsonProperty("indexer") IndexerConfig indexer,
        @JsonProperty("search") SearchConfig search,
        @JsonProperty("jwt") JwtConfig jwt,
        @JsonProperty("agencies") List<Agency> agencies,
        @JsonProperty("cameras") List<Camera> cameras,
        @JsonProperty("tokens") List<StaticToken> tokens,
        @JsonProperty("audit_nodes") List<String> auditNodes) {

    public static final String DEFAULTS_RESOURCE = "/platewarden-defaults.json";
    public static final String DEMO_RESOURCE = "/platewarden-demo.json";
    public static final Set<String> ROLES = Set.of("investigator", "supervisor", "auditor", "ops");

    private static final ObjectMapper MAPPER = strictTypes(JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            // "http_port": 18080.5 is a mistake, not 18080
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
            // "retention_days": "21", "preallocate": 1 or "": a mistake too, not 21, true or 0
            .configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false)
            .build());

    /**
     * A value of the wrong JSON type is a problem, not something to convert: {@code "retention_days":"21"},
     * {@code "preallocate":1} and {@code "node_id":5} are refused like {@code "http_port":"abc"}.
     * {@link MapperFeature#ALLOW_COERCION_OF_SCALARS} covers numbers and booleans; Jackson would still
     * read a number or a boolean as a string.
     */
    private static ObjectMapper strictTypes(ObjectMapper mapper) {
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    public PlatewardenConfig {
        agencies = agencies == null ? List.of() : List.copyOf(agencies);
        cameras = cameras == null ? List.of() : List.copyOf(cameras);
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        auditNodes = auditNodes == null ? List.of() : List.copyOf(auditNodes);
    }

    /**
     * The nodes whose audit chains belong in the trail: {@code audit_nodes} (every search node of a
     * deployment with several) and this node. Verify and the reports flag a chain of any other node:
     * anyone able to write to the audit index could otherwise add a self-consistent chain of an
     * invented node, which verify would find intact and the reports would count.
     */
    public Set<String> expectedAuditNodes() {
        Set<String> nodes = new java.util.TreeSet<>(auditNodes);
        nodes.add(nodeId);
        return Set.copyOf(nodes);
    }

    /** Defaults merged with the demo agencies, cameras and tokens (quick start only). */
    public static PlatewardenConfig demoConfig() {
        return fromTree(merge(readResource(DEFAULTS_RESOURCE), readResource(DEMO_RESOURCE)));
    }

    /** Defaults merged with the given file. */
    public static PlatewardenConfig load(Path file) {
        return fromTree(readFile(file));
    }

    /** Defaults merged with the demo agencies, cameras and tokens, then with the given file ({@code run --demo --config}). */
    public static PlatewardenConfig loadOverDemo(Path file) {
        return fromTree(merge(readResource(DEMO_RESOURCE), readFile(file)));
    }

    private static JsonNode readFile(Path file) {
        try {
            return MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            // a YAML file (what many tools take) is read as JSON and fails on its first key: say which format it must be
            String format = e instanceof JsonProcessingException ? " (the configuration file is JSON, as deploy/config.example.json)" : "";
            throw new ConfigException(List.of("cannot read config file " + file + ": " + describe(e) + format));
        }
    }

    /** Jackson's message without its source excerpt, where it is; a missing file said as much. */
    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof JsonProcessingException j && j.getLocation() != null) {
            return j.getOriginalMessage().replaceAll("\\[Source: [^;\\]]*; ", "[") // "(start marker at [line: 1, column: 12])"
                    + " (line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")";
        }
        return e.getMessage();
    }

    /**
     * Defaults merged with an in-memory override (used by tests and the CLI). Every problem is
     * reported together: unknown keys and misplaced nulls found while binding, then every invalid
     * value ({@link #problems()}).
     */
    public static PlatewardenConfig fromTree(JsonNode overrides) {
        JsonNode defaults = readResource(DEFAULTS_RESOURCE);
        List<String> problems = new ArrayList<>();
        PlatewardenConfig config = ConfigBinding.bind(MAPPER, defaults, merge(defaults, overrides), problems);
        if (config != null) problems.addAll(config.problems());
        if (!problems.isEmpty()) throw new ConfigException(problems);
        return config;
    }

    /** Returns this config as a JSON tree (for tests that tweak one value). */
    public ObjectNode toTree() {
        return MAPPER.valueToTree(this);
    }

    public PlatewardenConfig with(String jsonOverrides) {
        JsonNode overrides;
        try {
            overrides = MAPPER.readTree(jsonOverrides);
        } catch (IOException e) {
            throw new ConfigException(List.of("overrides are not valid JSON: " + describe(e)));
        }
        return fromTree(merge(toTree(), overrides));
    }

    /** A configured file that start-up would fail to open later, with a less clear message. */
    private static void readableFile(List<String> problems, String key, String path) {
        if (path == null) return;
        if (!Files.isRegularFile(Path.of(path)) || !Files.isReadable(Path.of(path))) {
            problems.add(key + " is not a readable file: " + path);
        }
    }

    /** @throws ConfigException listing every problem */
    public void validate() {
        List<String> problems = problems();
        if (!problems.isEmpty()) throw new ConfigException(problems);
    }

    /** Every invalid value of this config; empty when it is valid. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        required(problems, "node_id", nodeId);
        required(problems, "data_dir", dataDir);
        if (auditNodes.stream().anyMatch(PlatewardenConfig::blank)) problems.add("audit_nodes has a blank entry");
        if (indexPrefix == null || !indexPrefix.matches("[a-z0-9][a-z0-9_-]*")) {
            problems.add("index_prefix must be lower-case letters, digits, '-' or '_': " + indexPrefix);
        }
        if (retentionDays < 1 || retentionDays > 3650) problems.add("retention_days must be 1..3650");
        if (holdMaxDays < 1 || holdMaxDays > 3650) problems.add("hold_max_days must be 1..3650");
        if (!demo) {
            // "demo": false is a config meant for real use; one that still holds a public secret is refused
            List<String> publicOnes = DemoCredentials.inUse(this);
            if (!publicOnes.isEmpty()) {
                problems.add("the public demo credentials are configured (" + String.join(", ", publicOnes) + ") but \"demo\" is false:"
                        + " replace them (./platewarden hash-secret for cameras, the SHA-256 of a long random token for tokens),"
                        + " or set \"demo\": true for a demonstration");
            }
        }
        // a stop waits this long for requests in flight; an orchestrator kills the process after its own grace period
        if (shutdownGraceSeconds < 0 || shutdownGraceSeconds > 300) problems.add("shutdown_grace_seconds must be 0 (close at once) .. 300");
        if (esUrl != null && !esUrl.isBlank() && !esUrl.matches("https?://.+")) problems.add("es_url must be an http(s) URL");
        checkPort(problems, "gateway.http_port", gateway.httpPort());
        checkPort(problems, "gateway.mqtt_port", gateway.mqttPort());
        checkPort(problems, "search.port", search.port());
        if (gateway.mqttTlsPort() != 0) {
            checkPort(problems, "gateway.mqtt_tls_port", gateway.mqttTlsPort());
            if (gateway.tlsCertPath() == null || gateway.tlsKeyPath() == null) {
                problems.add("gateway.mqtt_tls_port needs gateway.tls_cert_path and gateway.tls_key_path");
            }
        } else if (gateway.tlsClientCaPath() != null) {
            problems.add("gateway.tls_client_ca_path needs the TLS listener (gateway.mqtt_tls_port)");
        }
        if (gateway.httpTls() && (gateway.tlsCertPath() == null || gateway.tlsKeyPath() == null)) {
            problems.add("gateway.http_tls needs gateway.tls_cert_path and gateway.tls_key_path");
        }
        if ((search.tlsCertPath() == null) != (search.tlsKeyPath() == null)) {
            problems.add("search.tls_cert_path and search.tls_key_path go together: set both for HTTPS, or neither");
        }
        readableFile(problems, "search.tls_cert_path", search.tlsCertPath());
        readableFile(problems, "search.tls_key_path", search.tlsKeyPath());
        readableFile(problems, "gateway.tls_cert_path", gateway.tlsCertPath());
        readableFile(problems, "gateway.tls_key_path", gateway.tlsKeyPath());
        readableFile(problems, "gateway.tls_client_ca_path", gateway.tlsClientCaPath());
        problems.addAll(PortClashes.find(gateway, search));
        required(problems, "gateway.host", gateway.host());
        required(problems, "search.host", search.host());
        positive(problems, "gateway.http_body_limit_bytes", gateway.httpBodyLimitBytes());
        positive(problems, "gateway.mqtt_max_message_bytes", gateway.mqttMaxMessageBytes());
        positive(problems, "gateway.max_reads_per_request", gateway.maxReadsPerRequest());
        positive(problems, "gateway.worker_pool_size", gateway.workerPoolSize());
        positive(problems, "gateway.worker_queue_limit", gateway.workerQueueLimit());
        connectionLimits(problems, "gateway", gateway.httpIdleTimeoutSeconds(), gateway.httpHeaderTimeoutSeconds(), gateway.maxConnectionsPerAddress());
        connectionLimits(problems, "search", search.httpIdleTimeoutSeconds(), search.httpHeaderTimeoutSeconds(), search.maxConnectionsPerAddress());
        perAddressCap(problems, "gateway.mqtt_max_connections_per_address", gateway.mqttMaxConnectionsPerAddress());
        boolean retentionValid = retentionDays >= 1 && retentionDays <= 3650; // else reported above: no second problem out of it
        if (gateway.mqttSessionExpiryMaxSeconds() < 0 || (retentionValid && gateway.mqttSessionExpiryMaxSeconds() > retentionDays * 86_400L)) {
            // a session is worth keeping only while what its client resends could still be stored
            problems.add("gateway.mqtt_session_expiry_max_seconds must be 0 (no session outlives its connection) .. retention_days × 86400 ("
                    + retentionDays * 86_400L + "), not " + gateway.mqttSessionExpiryMaxSeconds());
        }
        // a PUBLISH up to the packet limit must fit in it, or a camera sending one could never be served
        if (gateway.mqttMaxPendingBytesTotal() < Math.max(1, gateway.mqttMaxMessageBytes())) {
            problems.add("gateway.mqtt_max_pending_bytes_total must be at least gateway.mqtt_max_message_bytes ("
                    + gateway.mqttMaxMessageBytes() + "), not " + gateway.mqttMaxPendingBytesTotal());
        }
        if (gateway.readIdKey() != null && gateway.readIdKey().length() < GatewayConfig.READ_ID_KEY_MIN_CHARS) {
            problems.add("gateway.read_id_key must be at least " + GatewayConfig.READ_ID_KEY_MIN_CHARS
                    + " characters (e.g. openssl rand -hex 32), or null for a key generated into the data dir");
        }
        if (gateway.eventLoops() < 0 || gateway.eventLoops() > 64) problems.add("gateway.event_loops must be 0 (one per core) .. 64");
        // below 0 every read would be "in the future", even one captured this instant
        if (gateway.futureSkewSeconds() < 0) problems.add("gateway.future_skew_seconds must be >= 0");
        if (deadletter == null) {
            problems.add("deadletter is required");
        } else if (deadletter.maxBytesPerCameraPerDay() < DeadLetterConfig.MIN_MAX_BYTES_PER_CAMERA_PER_DAY) {
            problems.add("deadletter.max_bytes_per_camera_per_day must be at least " + DeadLetterConfig.MIN_MAX_BYTES_PER_CAMERA_PER_DAY
                    + " (1 MiB), not " + deadletter.maxBytesPerCameraPerDay());
        }
        if (spool.segmentBytes() < 4096) problems.add("spool.segment_bytes must be at least 4096");
        // the newest segment stays until the writer rolls to a new one, and a roll needs room for that
        // segment plus the next append (at most the spool's frame limit): less could leave a spool the
        // indexer has drained refusing every append as full, forever
        long roomToRoll = 2 * Math.max(spool.segmentBytes(), Spool.MAX_APPEND_BYTES);
        if (spool.capacityBytes() < roomToRoll) {
            problems.add("spool.capacity_bytes must be at least " + roomToRoll + " (twice the larger of spool.segment_bytes and the "
                    + Spool.MAX_APPEND_BYTES + "-byte largest append), so the spool can roll to a new segment once the indexer has caught up");
        }
        if (spool.groupCommitIntervalMicros() < 0 || spool.groupCommitIntervalMicros() > SpoolConfig.MAX_GROUP_COMMIT_INTERVAL_MICROS) {
            problems.add("spool.group_commit_interval_micros must be 0 (none) .. " + SpoolConfig.MAX_GROUP_COMMIT_INTERVAL_MICROS);
        }
        positive(problems, "indexer.bulk_max_reads", indexer.bulkMaxReads());
        positive(problems, "indexer.bulk_max_bytes", indexer.bulkMaxBytes());
        positive(problems, "indexer.max_in_flight", indexer.maxInFlight());
        if (indexer.bulkMaxWaitMs() < 0) problems.add("indexer.bulk_max_wait_ms must be >= 0");
        positive(problems, "indexer.sweeper_interval_seconds", indexer.sweeperIntervalSeconds());
        if (indexer.compaction() == null) {
            problems.add("indexer.compaction is required");
        } else {
            if (indexer.compaction().afterHours() < 0) problems.add("indexer.compaction.after_hours must be >= 0");
            positive(problems, "indexer.compaction.above_segments", indexer.compaction().aboveSegments());
        }
        positive(problems, "search.max_results", search.maxResults());
        if (search.minKnownChars() < SearchConfig.MIN_KNOWN_CHARS_FLOOR) {
            problems.add("search.min_known_chars must be at least " + SearchConfig.MIN_KNOWN_CHARS_FLOOR
                    + " (with fewer, a pattern such as *A* would match a large share of all plates)");
        }
        // each user's sliding window keeps one timestamp per search it allows (PerUserRateLimiter)
        if (search.rateLimitPerMinute() < 0 || search.rateLimitPerMinute() > 10_000) {
            problems.add("search.rate_limit_per_minute must be 0 (no limit) .. 10000");
        }
        if (search.maxConcurrentSearches() < 1 || search.maxConcurrentSearches() > SearchConfig.MAX_CONCURRENT_SEARCHES) {
            problems.add("search.max_concurrent_searches must be 1 .. " + SearchConfig.MAX_CONCURRENT_SEARCHES
                    + " (searches one node runs at once), not " + search.maxConcurrentSearches());
        }
        if (search.maxQueuedSearches() < 0 || search.maxQueuedSearches() > SearchConfig.MAX_QUEUED_SEARCHES) {
            problems.add("search.max_queued_searches must be 0 (answer 503 at once) .. " + SearchConfig.MAX_QUEUED_SEARCHES
                    + " (searches waiting for a running one to end), not " + search.maxQueuedSearches());
        }
        if (search.maxQueueWaitMs() < 1 || search.maxQueueWaitMs() > SearchConfig.MAX_QUEUE_WAIT_MS) {
            problems.add("search.max_queue_wait_ms must be 1 .. " + SearchConfig.MAX_QUEUE_WAIT_MS
                    + " (how long a search waits for a running one to end), not " + search.maxQueueWaitMs());
        }
        esTimeout(problems, "search.es_request_timeout_ms", search.esRequestTimeoutMs());
        esTimeout(problems, "search.audit_index_timeout_ms", search.auditIndexTimeoutMs());
        // shorter than one request's timeout, the deadline would be that timeout under another name
        if (search.maxSearchMs() < search.esRequestTimeoutMs() || search.maxSearchMs() > SearchConfig.MAX_SEARCH_MS) {
            problems.add("search.max_search_ms must be search.es_request_timeout_ms (" + search.esRequestTimeoutMs() + ") .. "
                    + SearchConfig.MAX_SEARCH_MS + " (how long one search may take in all), not " + search.maxSearchMs());
        }
        positive(problems, "search.max_window_days", search.maxWindowDays());
        positive(problems, "search.http_body_limit_bytes", search.httpBodyLimitBytes());
        if (search.auditJournalPreallocateBytes() != 0 && search.auditJournalPreallocateBytes() < 4096) {
            problems.add("search.audit_journal_preallocate_bytes must be 0 (append) or at least 4096, not "
                    + search.auditJournalPreallocateBytes());
        }
        // below 1 no request without credentials would get a record of its own, only the summaries
        atLeastOne(problems, "search.anonymous_records_per_minute_per_address", search.anonymousRecordsPerMinutePerAddress(),
                "the individual audit records one client address gets per minute for requests without valid credentials");
        atLeastOne(problems, "search.anonymous_records_per_minute", search.anonymousRecordsPerMinute(),
                "the individual audit records the node writes per minute for requests without valid credentials, all addresses together");
        // below 1 no refused request of an authenticated caller would get a record of its own, only the summaries
        atLeastOne(problems, "search.refused_records_per_minute_per_user", search.refusedRecordsPerMinutePerUser(),
                "the individual audit records one authenticated user gets per minute for refused, invalid or rate-limited requests");
        // with no allowed purpose no search can state one: every search would be refused
        if (search.allowedPurposes().isEmpty()) problems.add("search.allowed_purposes is empty: no search could state a purpose");
        if (search.allowedPurposes().stream().anyMatch(PlatewardenConfig::blank)) problems.add("search.allowed_purposes has a blank entry");
        if (search.prohibitedPurposes().stream().anyMatch(PlatewardenConfig::blank)) problems.add("search.prohibited_purposes has a blank entry");
        for (String proxy : search.trustedProxies()) {
            try {
                AddressRange.parse(proxy);
            } catch (IllegalArgumentException e) {
                problems.add("search.trusted_proxies: " + e.getMessage());
            }
        }
        Set<String> overlap = new HashSet<>(search.allowedPurposes());
        overlap.retainAll(search.prohibitedPurposes());
        if (!overlap.isEmpty()) problems.add("purposes both allowed and prohibited: " + overlap);

        for (Agency a : agencies) {
            if (blank(a.id())) problems.add("an agency has no id (agency named " + a.name() + ")");
            if (a.federal() && a.oversight()) problems.add("agency " + a.id() + " is federal and oversight: a federal agency gets no access, and oversight reads every agency's audit records");
        }
        Map<String, Agency> byId = agencies.stream().filter(a -> a.id() != null).collect(Collectors.toMap(Agency::id, Function.identity(), (a, b) -> {
            problems.add("duplicate agency id " + a.id());
            return a;
        }));
        for (Agency a : agencies) {
            for (String grantee : a.sharesWith()) {
                if (!byId.containsKey(grantee)) problems.add("agency " + a.id() + " shares with unknown agency " + grantee);
            }
        }
        Set<String> cameraIds = new HashSet<>();
        for (Camera c : cameras) {
            if (c.id() == null || !c.id().matches("[A-Za-z0-9._-]{1,64}")) problems.add("camera id must be 1-64 of [A-Za-z0-9._-]: " + c.id());
            if (!cameraIds.add(c.id())) problems.add("duplicate camera id " + c.id());
            if (!byId.containsKey(c.agency())) problems.add("camera " + c.id() + " belongs to unknown agency " + c.agency());
            if (c.secretHash() == null || !SecretHash.isWellFormed(c.secretHash())) problems.add("camera " + c.id() + " has no well-formed secret_hash"
                    // the usual mistake is the secret itself: say what goes there (and never echo the value)
                    + " (a PBKDF2 hash, pbkdf2-sha256$…, from ./platewarden hash-secret, not the secret itself)");
            if (c.previousSecretHash() != null && !SecretHash.isWellFormed(c.previousSecretHash())) {
                problems.add("camera " + c.id() + " has a previous_secret_hash that is not well-formed");
            }
        }
        Map<String, String> userByToken = new HashMap<>();
        for (StaticToken t : tokens) {
            if (blank(t.user())) problems.add("a token has no user (token of agency " + t.agency() + ")");
            // a token resolves to the first entry with its hash: a second one could never be used
            String first = t.tokenSha256() == null ? null : userByToken.putIfAbsent(t.tokenSha256(), t.user());
            if (first != null) problems.add("tokens of users " + first + " and " + t.user() + " have the same token_sha256");
            if (t.roles().isEmpty()) problems.add("token of user " + t.user() + " has no roles: it could do nothing");
            if (isReservedUser(t.user())) problems.add("token user " + t.user() + " is reserved (anonymous, platewarden:*): records of requests without a caller and of Platewarden's own actions carry it");
            if (t.tokenSha256() == null || !t.tokenSha256().matches("[0-9a-f]{64}")) problems.add("token of user " + t.user() + " needs a token_sha256 of 64 hex chars");
            if (!byId.containsKey(t.agency())) problems.add("token of user " + t.user() + " names unknown agency " + t.agency());
            for (String role : t.roles()) {
                if (!ROLES.contains(role)) problems.add("token of user " + t.user() + " has unknown role " + role);
            }
        }
        // a jwt section without an algorithm would silently accept no JWT at all; "jwt": null says that
        if (jwt != null) {
            if ("HS256".equals(jwt.algorithm()) && (jwt.secret() == null || jwt.secret().length() < 32)) problems.add("jwt.secret must be at least 32 characters for HS256");
            if ("RS256".equals(jwt.algorithm()) && jwt.publicKeyPem() == null) problems.add("jwt.public_key_pem is required for RS256");
            if ("RS256".equals(jwt.algorithm()) && jwt.publicKeyPem() != null) {
                String keyProblem = RsaPublicKeyPem.problem(jwt.publicKeyPem());
                if (keyProblem != null) problems.add("jwt.public_key_pem " + keyProblem);
            }
            if (jwt.maxLifetimeSeconds() < 60 || jwt.maxLifetimeSeconds() > 30 * 86_400) {
                problems.add("jwt.max_lifetime_seconds must be 60 .. 2592000 (30 days), not " + jwt.maxLifetimeSeconds());
            }
            // "audience": [] would read as "checked" and accept no token at all; null says "not checked"
            if (jwt.audience() != null && jwt.audience().isEmpty()) {
                problems.add("jwt.audience is empty: give the audience (a string, or a list of strings) tokens must name in aud,"
                        + " or null for aud not checked");
            }
            if (jwt.audience() != null && jwt.audience().stream().anyMatch(PlatewardenConfig::blank)) {
                problems.add("jwt.audience has a blank entry");
            }
            if (!"HS256".equals(jwt.algorithm()) && !"RS256".equals(jwt.algorithm())) {
                problems.add("jwt.algorithm must be HS256 or RS256, not " + jwt.algorithm() + " (\"jwt\": null turns JWTs off)");
            }
        }
        return problems;
    }

    /**
     * A user name no caller may have: {@code anonymous} (the records of requests without an
     * authenticated caller) and {@code platewarden:…} (the records of Platewarden's own actions,
     * e.g. a hold released when its until passed). Compared folded ({@link #foldUserName}), so no look-alike passes.
     */
    /**
     * Whether {@code user} is, folded alike ({@link #foldUserName}), the user of a configured static
     * token: a JWT in that name would have the trail show the token's user doing what the JWT did.
     */
    public boolean isStaticTokenUser(String user) {
        String folded = foldUserName(user);
        return tokens.stream().anyMatch(t -> foldUserName(t.user()).equals(folded));
    }

    public static boolean isReservedUser(String user) {
        if (user == null) return false;
        String u = foldUserName(user);
        return u.equals("anonymous") || u.startsWith("platewarden:");
    }

    /**
     * A user name as a reader of the trail would take it: NFKC (full-width and other compatibility
     * forms as their plain letters), invisible format characters (zero-width space, soft hyphen)
     * and surrounding white space of any kind removed, lower case. Two names that fold alike look alike.
     */
    public static String foldUserName(String user) {
        String n = java.text.Normalizer.normalize(user, java.text.Normalizer.Form.NFKC);
        StringBuilder b = new StringBuilder(n.length());
        n.codePoints().filter(c -> Character.getType(c) != Character.FORMAT).forEach(b::appendCodePoint);
        return b.toString().strip().toLowerCase(java.util.Locale.ROOT);
    }

    public Optional<Agency> agency(String id) {
        return agencies.stream().filter(a -> a.id().equals(id)).findFirst();
    }

    public Optional<Camera> camera(String id) {
        return cameras.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    public Path dataPath() {
        return Path.of(dataDir);
    }

    public String readsIndexPrefix() {
        return indexPrefix + "-reads-";
    }

    public String auditIndex() {
        return indexPrefix + "-audit";
    }

    public String holdsIndex() {
        return indexPrefix + "-holds";
    }

    /** The holds' definitions, one document per hold (id = hold id): what says whether a hold is in force. */
    public String holdsMetaIndex() {
        return indexPrefix + "-holds-meta";
    }

    /**
     * An HTTP port's connection limits: without an idle timeout or a header deadline, connections
     * that never finish a request stay open and exhaust the process's open files.
     */
    private static void connectionLimits(List<String> problems, String section, int idleSeconds, int headerSeconds, int perAddress) {
        if (idleSeconds < 0 || idleSeconds > 3600) {
            problems.add(section + ".http_idle_timeout_seconds must be 0 (none) .. 3600, not " + idleSeconds);
        }
        if (headerSeconds < 1 || headerSeconds > 300) {
            problems.add(section + ".http_header_timeout_seconds must be 1 .. 300, not " + headerSeconds);
        }
        perAddressCap(problems, section + ".max_connections_per_address", perAddress);
    }

    /** A cap on one client address's open connections: 0 (none) .. 100 000. */
    private static void perAddressCap(List<String> problems, String name, int cap) {
        if (cap < 0 || cap > 100_000) problems.add(name + " must be 0 (no cap) .. 100000, not " + cap);
    }

    private static void checkPort(List<String> problems, String name, int port) {
        if (port < 0 || port > 65535) problems.add(name + " must be 0..65535 (0 = pick a free port)");
    }

    private static void atLeastOne(List<String> problems, String name, long value, String what) {
        if (value < 1) problems.add(name + " must be at least 1 (" + what + "), not " + value);
    }

    private static void esTimeout(List<String> problems, String name, int millis) {
        if (millis < SearchConfig.MIN_ES_TIMEOUT_MS || millis > SearchConfig.MAX_ES_TIMEOUT_MS) {
            problems.add(name + " must be " + SearchConfig.MIN_ES_TIMEOUT_MS + " .. " + SearchConfig.MAX_ES_TIMEOUT_MS
                    + " (how long the search node waits for Elasticsearch), not " + millis);
        }
    }

    private static void positive(List<String> problems, String name, long value) {
        if (value <= 0) problems.add(name + " must be positive");
    }

    private static void required(List<String> problems, String name, String value) {
        if (blank(value)) problems.add(name + " is required");
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static JsonNode readResource(String name) {
        try (InputStream in = PlatewardenConfig.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deep merge: objects merge key by key, anything else (arrays included) in {@code over} replaces. */
    static JsonNode merge(JsonNode base, JsonNode over) {
        if (over == null || over.isMissingNode()) return base;
        if (!(base instanceof ObjectNode b) || !over.isObject()) return over.deepCopy();
        ObjectNode result = b.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("_")) continue; // "_comment" and friends: documentation inside config files
            result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
        }
        return result;
    }
}
