package org.platewarden.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.spool.Spool;

class PlatewardenConfigTest {

    @Test
    void demoConfigHasTheContractedAgenciesCamerasAndTokens() {
        PlatewardenConfig c = PlatewardenConfig.demoConfig();
        assertTrue(c.demo());
        assertEquals(21, c.retentionDays());
        assertEquals(8080, c.gateway().httpPort());
        assertEquals(1883, c.gateway().mqttPort());
        assertEquals(8081, c.search().port());
        assertTrue(SecretHash.verify("demo-cam-001", c.camera("cam-001").orElseThrow().secretHash()));
        assertTrue(SecretHash.verify("demo-cam-101", c.camera("cam-101").orElseThrow().secretHash()));
        assertFalse(SecretHash.verify("demo-cam-002", c.camera("cam-001").orElseThrow().secretHash()));
        assertEquals("ACSO", c.camera("cam-101").orElseThrow().agency());
        assertTrue(c.tokens().stream().anyMatch(t -> t.tokenSha256().equals(SecretHash.sha256Hex("demo-dpd-investigator"))
                && t.agency().equals("DPD") && t.roles().contains("investigator")));
        assertTrue(c.tokens().stream().anyMatch(t -> t.tokenSha256().equals(SecretHash.sha256Hex("demo-fed-investigator"))));
    }

    @Test
    void scopeFollowsGrantsAndDeniesFederalAgencies() {
        AgencyScope scope = new AgencyScope(PlatewardenConfig.demoConfig());
        assertEquals(Set.of("DPD", "ACSO"), scope.visibleAgencies("DPD"));
        assertEquals(Set.of("ACSO"), scope.visibleAgencies("ACSO"));
        assertEquals(Set.of(), scope.visibleAgencies("FED"));
        assertEquals(Set.of(), scope.visibleAgencies("NOBODY"));
    }

    @Test
    void validationReportsEveryProblemAtOnce() {
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"index_prefix":"Bad Prefix","retention_days":0,"gateway":{"http_port":70000},
                 "search":{"allowed_purposes":["personal"]}}"""));
        assertEquals(4, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("index_prefix"));
        assertTrue(e.getMessage().contains("both allowed and prohibited"));
    }

    @Test
    void aTokenMayNotTakeAUserNameRecordsOfNobodyOrOfPlatewardenItselfCarry() {
        for (String user : new String[] {"anonymous", "platewarden:until-passed", "PLATEWARDEN:x"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("{\"tokens\":[{\"user\":\"" + user
                    + "\",\"agency\":\"DPD\",\"roles\":[\"auditor\"],\"token_sha256\":\"" + "a".repeat(64) + "\"}]}"));
            assertTrue(e.getMessage().contains("reserved"), e.getMessage());
        }
        assertFalse(PlatewardenConfig.isReservedUser("dpd.auditor"));
    }

    @Test
    void compactionDefaultsAndLimits() {
        CompactionConfig defaults = PlatewardenConfig.demoConfig().indexer().compaction();
        assertEquals(new CompactionConfig(true, 6, 4), defaults);
        assertEquals(new CompactionConfig(false, 6, 4),
                PlatewardenConfig.demoConfig().with("{\"indexer\":{\"compaction\":{\"enabled\":false}}}").indexer().compaction());
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"indexer":{"sweeper_interval_seconds":0,"compaction":{"after_hours":-1,"above_segments":0}}}"""));
        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("indexer.compaction.after_hours must be >= 0"));
        assertTrue(e.getMessage().contains("indexer.compaction.above_segments must be positive"));
        assertTrue(e.getMessage().contains("indexer.sweeper_interval_seconds must be positive"));
    }

    @Test
    void spoolDefaultsAndLimits() {
        SpoolConfig defaults = PlatewardenConfig.demoConfig().spool();
        assertEquals(SpoolConfig.defaults(), defaults);
        assertTrue(defaults.preallocate());
        assertEquals(1000, defaults.groupCommitIntervalMicros());
        SpoolConfig off = PlatewardenConfig.demoConfig()
                .with("{\"spool\":{\"preallocate\":false,\"group_commit_interval_micros\":0}}").spool();
        assertEquals(new SpoolConfig(defaults.segmentBytes(), defaults.capacityBytes(), false, 0), off);
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"spool":{"group_commit_interval_micros":-1}}"""));
        assertTrue(e.getMessage().contains("spool.group_commit_interval_micros must be 0 (none) .. 100000"), e.getMessage());
        assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"spool":{"group_commit_interval_micros":100001}}"""));
        // room for the newest segment and one more append, or a drained spool could stay full
        ConfigException tight = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"spool":{"segment_bytes":67108864,"capacity_bytes":134217727}}"""));
        assertTrue(tight.getMessage().contains("spool.capacity_bytes must be at least 134217728"), tight.getMessage());
        ConfigException small = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"spool":{"segment_bytes":4096,"capacity_bytes":1048576}}"""));
        assertTrue(small.getMessage().contains("at least " + 2 * Spool.MAX_APPEND_BYTES), small.getMessage());
        assertEquals(134217728L, PlatewardenConfig.demoConfig()
                .with("{\"spool\":{\"segment_bytes\":67108864,\"capacity_bytes\":134217728}}").spool().capacityBytes());
    }

    @Test
    void auditJournalPreallocationDefaultsOnAndIsZeroOrAPage() {
        assertEquals(SearchConfig.defaults().auditJournalPreallocateBytes(), PlatewardenConfig.demoConfig().search().auditJournalPreallocateBytes());
        assertEquals(4 << 20, SearchConfig.DEFAULT_AUDIT_JOURNAL_PREALLOCATE);
        assertEquals(0, PlatewardenConfig.demoConfig().with("{\"search\":{\"audit_journal_preallocate_bytes\":0}}")
                .search().auditJournalPreallocateBytes());
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"search":{"audit_journal_preallocate_bytes":100}}"""));
        assertTrue(e.getMessage().contains("search.audit_journal_preallocate_bytes must be 0 (append) or at least 4096"), e.getMessage());
    }

    @Test
    void rateLimitIsZeroOrUpToTenThousandPerMinute() {
        assertEquals(60, PlatewardenConfig.demoConfig().search().rateLimitPerMinute());
        assertEquals(0, PlatewardenConfig.demoConfig().with("{\"search\":{\"rate_limit_per_minute\":0}}").search().rateLimitPerMinute());
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"search":{"rate_limit_per_minute":10001}}"""));
        assertTrue(e.getMessage().contains("search.rate_limit_per_minute must be 0 (no limit) .. 10000"), e.getMessage());
    }

    @Test
    void concurrentAndQueuedSearchesAreBoundedAndDefaultToSixteenAndSixtyFour() {
        PlatewardenConfig config = PlatewardenConfig.demoConfig();
        assertEquals(16, config.search().maxConcurrentSearches());
        assertEquals(64, config.search().maxQueuedSearches());
        assertEquals(2000, config.search().maxQueueWaitMs());
        assertEquals(SearchConfig.defaults().maxQueueWaitMs(), config.search().maxQueueWaitMs(), "the defaults file agrees with the code");
        assertEquals(SearchConfig.defaults().maxConcurrentSearches(), config.search().maxConcurrentSearches(), "the defaults file agrees with the code");
        assertEquals(SearchConfig.defaults().maxQueuedSearches(), config.search().maxQueuedSearches(), "the defaults file agrees with the code");
        PlatewardenConfig edges = config.with("{\"search\":{\"max_concurrent_searches\":1,\"max_queued_searches\":0}}");
        assertEquals(1, edges.search().maxConcurrentSearches());
        assertEquals(0, edges.search().maxQueuedSearches(), "0: a search beyond the running ones is answered 503 at once");
        assertEquals(128, config.with("{\"search\":{\"max_concurrent_searches\":128,\"max_queued_searches\":1024}}").search().maxConcurrentSearches());
        ConfigException e = assertThrows(ConfigException.class, () -> config.with("""
                {"search":{"max_concurrent_searches":0,"max_queued_searches":-1}}"""));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("search.max_concurrent_searches must be 1 .. 128 (searches one node runs at once), not 0"), e.getMessage());
        assertTrue(e.getMessage().contains("search.max_queued_searches must be 0 (answer 503 at once) .. 1024"), e.getMessage());
        assertProblem("{\"search\":{\"max_concurrent_searches\":129}}", "search.max_concurrent_searches must be 1 .. 128");
        assertProblem("{\"search\":{\"max_queued_searches\":1025}}", "search.max_queued_searches must be 0 (answer 503 at once) .. 1024");
        assertProblem("{\"search\":{\"max_concurrent_searches\":\"16\"}}", "search.max_concurrent_searches: expected an integer");
        assertProblem("{\"search\":{\"max_queue_wait_ms\":0}}", "search.max_queue_wait_ms must be 1 .. 10000");
        assertProblem("{\"search\":{\"max_queue_wait_ms\":10001}}", "search.max_queue_wait_ms must be 1 .. 10000");
        assertEquals(10_000, config.with("{\"search\":{\"max_queue_wait_ms\":10000}}").search().maxQueueWaitMs());
    }

    @Test
    void elasticsearchTimeoutsOfTheSearchNodeAreBoundedAndDefaultToTenAndFiveSeconds() {
        PlatewardenConfig config = PlatewardenConfig.demoConfig();
        assertEquals(10_000, config.search().esRequestTimeoutMs());
        assertEquals(5_000, config.search().auditIndexTimeoutMs());
        assertEquals(SearchConfig.defaults().esRequestTimeoutMs(), config.search().esRequestTimeoutMs(), "the defaults file agrees with the code");
        assertEquals(SearchConfig.defaults().auditIndexTimeoutMs(), config.search().auditIndexTimeoutMs(), "the defaults file agrees with the code");
        PlatewardenConfig edges = config.with("{\"search\":{\"es_request_timeout_ms\":100,\"audit_index_timeout_ms\":60000}}");
        assertEquals(100, edges.search().esRequestTimeoutMs());
        assertEquals(60_000, edges.search().auditIndexTimeoutMs());
        ConfigException e = assertThrows(ConfigException.class, () -> config.with(
                "{\"search\":{\"es_request_timeout_ms\":99,\"audit_index_timeout_ms\":60001}}"));
        assertEquals(List.of("search.es_request_timeout_ms must be 100 .. 60000 (how long the search node waits for Elasticsearch), not 99",
                "search.audit_index_timeout_ms must be 100 .. 60000 (how long the search node waits for Elasticsearch), not 60001"), e.problems());
        assertProblem("{\"search\":{\"es_request_timeout_ms\":0}}", "search.es_request_timeout_ms must be 100 .. 60000");
    }

    @Test
    void aSearchsDeadlineDefaultsToTwentySecondsAndIsNoShorterThanOneRequestsTimeout() {
        PlatewardenConfig config = PlatewardenConfig.demoConfig();
        assertEquals(20_000, config.search().maxSearchMs());
        assertEquals(SearchConfig.defaults().maxSearchMs(), config.search().maxSearchMs(), "the defaults file agrees with the code");
        assertEquals(10_000, config.with("{\"search\":{\"max_search_ms\":10000}}").search().maxSearchMs());
        assertEquals(300_000, config.with("{\"search\":{\"max_search_ms\":300000}}").search().maxSearchMs());
        assertEquals(1_500, config.with("{\"search\":{\"es_request_timeout_ms\":1500,\"max_search_ms\":1500}}").search().maxSearchMs());
        assertProblem("{\"search\":{\"max_search_ms\":9999}}",
                "search.max_search_ms must be search.es_request_timeout_ms (10000) .. 300000 (how long one search may take in all), not 9999");
        assertProblem("{\"search\":{\"max_search_ms\":300001}}", "search.max_search_ms must be search.es_request_timeout_ms (10000) .. 300000");
        // a longer request timeout needs a deadline that can hold it
        assertProblem("{\"search\":{\"es_request_timeout_ms\":30000}}", "search.max_search_ms must be search.es_request_timeout_ms (30000) .. 300000");
    }

    @Test
    void jwtAudienceIsAStringOrAListAndUncheckedWhenAbsent() {
        String hs = "\"algorithm\":\"HS256\",\"secret\":\"" + "s".repeat(40) + "\"";
        PlatewardenConfig none = PlatewardenConfig.demoConfig().with("{\"jwt\":{" + hs + "}}");
        assertEquals(null, none.jwt().audience());
        assertFalse(none.jwt().checksAudience());
        PlatewardenConfig one = PlatewardenConfig.demoConfig().with("{\"jwt\":{" + hs + ",\"audience\":\"platewarden-search\"}}");
        assertEquals(List.of("platewarden-search"), one.jwt().audience());
        assertTrue(one.jwt().checksAudience());
        PlatewardenConfig two = PlatewardenConfig.demoConfig().with("{\"jwt\":{" + hs + ",\"audience\":[\"pw-search\",\"https://pw.example\"]}}");
        assertEquals(List.of("pw-search", "https://pw.example"), two.jwt().audience());
        assertEquals(two.jwt(), two.with("{}").jwt(), "survives the round trip through the tree");
        assertProblem("{\"jwt\":{" + hs + ",\"audience\":[]}}", "jwt.audience is empty");
        assertProblem("{\"jwt\":{" + hs + ",\"audience\":\" \"}}", "jwt.audience has a blank entry");
        assertProblem("{\"jwt\":{" + hs + ",\"audience\":[\"a\",null]}}", "jwt.audience[1] may not be null");
        assertProblem("{\"jwt\":{" + hs + ",\"audience\":5}}", "jwt.audience");
    }

    @Test
    void httpConnectionLimitsDefaultOnBothPortsAndAreValidatedAtStartUp() {
        PlatewardenConfig config = PlatewardenConfig.demoConfig();
        assertEquals(60, config.gateway().httpIdleTimeoutSeconds());
        assertEquals(10, config.gateway().httpHeaderTimeoutSeconds());
        assertEquals(256, config.gateway().maxConnectionsPerAddress());
        assertEquals(0, config.search().httpIdleTimeoutSeconds(), "none on the search API: ops runs take minutes");
        assertEquals(10, config.search().httpHeaderTimeoutSeconds());
        assertEquals(256, config.search().maxConnectionsPerAddress());
        assertEquals(GatewayConfig.defaults().maxConnectionsPerAddress(), config.gateway().maxConnectionsPerAddress(), "the defaults file agrees with the code");
        assertEquals(SearchConfig.defaults().httpHeaderTimeoutSeconds(), config.search().httpHeaderTimeoutSeconds(), "the defaults file agrees with the code");
        assertEquals(0, config.with("{\"search\":{\"max_connections_per_address\":0}}").search().maxConnectionsPerAddress());
        ConfigException e = assertThrows(ConfigException.class, () -> config.with("""
                {"gateway":{"http_idle_timeout_seconds":-1,"http_header_timeout_seconds":301,"max_connections_per_address":-1},
                 "search":{"http_idle_timeout_seconds":3601,"http_header_timeout_seconds":0}}"""));
        assertEquals(5, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("gateway.http_idle_timeout_seconds must be 0 (none) .. 3600, not -1"), e.getMessage());
        assertTrue(e.getMessage().contains("gateway.http_header_timeout_seconds must be 1 .. 300, not 301"), e.getMessage());
        assertTrue(e.getMessage().contains("gateway.max_connections_per_address must be 0 (no cap) .. 100000, not -1"), e.getMessage());
        assertTrue(e.getMessage().contains("search.http_idle_timeout_seconds must be 0 (none) .. 3600, not 3601"), e.getMessage());
        assertTrue(e.getMessage().contains("search.http_header_timeout_seconds must be 1 .. 300, not 0"), e.getMessage());
    }

    @Test
    void mqttSessionsOutliveTheirConnectionsForAWeekByDefaultAndNoLongerThanRetention() {
        PlatewardenConfig config = PlatewardenConfig.demoConfig();
        assertEquals(604_800, config.gateway().mqttSessionExpiryMaxSeconds());
        assertEquals(GatewayConfig.defaults().mqttSessionExpiryMaxSeconds(), config.gateway().mqttSessionExpiryMaxSeconds(), "the defaults file agrees with the code");
        assertEquals(0, config.with("{\"gateway\":{\"mqtt_session_expiry_max_seconds\":0}}").gateway().mqttSessionExpiryMaxSeconds());
        assertEquals(21 * 86_400, config.with("{\"gateway\":{\"mqtt_session_expiry_max_seconds\":1814400}}").gateway().mqttSessionExpiryMaxSeconds());
        ConfigException e = assertThrows(ConfigException.class, () -> config.with("{\"gateway\":{\"mqtt_session_expiry_max_seconds\":1814401}}"));
        assertTrue(e.getMessage().contains("gateway.mqtt_session_expiry_max_seconds must be 0 (no session outlives its connection) .. retention_days × 86400 (1814400), not 1814401"),
                e.getMessage());
        assertThrows(ConfigException.class, () -> config.with("{\"gateway\":{\"mqtt_session_expiry_max_seconds\":-1}}"));
    }

    @Test
    void theMqttPendingBudgetDefaultsTo32MiBAndMustHoldAtLeastOneMessage() {
        PlatewardenConfig config = PlatewardenConfig.demoConfig();
        assertEquals(32L * 1024 * 1024, config.gateway().mqttMaxPendingBytesTotal());
        assertEquals(GatewayConfig.defaults().mqttMaxPendingBytesTotal(), config.gateway().mqttMaxPendingBytesTotal(),
                "the defaults file agrees with the code");
        assertEquals(262_144, config.with("{\"gateway\":{\"mqtt_max_pending_bytes_total\":262144}}").gateway().mqttMaxPendingBytesTotal());
        ConfigException e = assertThrows(ConfigException.class, () -> config.with("{\"gateway\":{\"mqtt_max_pending_bytes_total\":262143}}"));
        assertEquals(List.of("gateway.mqtt_max_pending_bytes_total must be at least gateway.mqtt_max_message_bytes (262144), not 262143"),
                e.problems());
        assertThrows(ConfigException.class, () -> config.with("{\"gateway\":{\"mqtt_max_pending_bytes_total\":0}}"));
    }

    @Test
    void theMqttPerAddressCapDefaultsToHttpsAndIsValidatedAtStartUp() {
        PlatewardenConfig config = PlatewardenConfig.demoConfig();
        assertEquals(256, config.gateway().mqttMaxConnectionsPerAddress(), "as HTTP's: cameras behind one NAT share its address");
        assertEquals(GatewayConfig.defaults().mqttMaxConnectionsPerAddress(), config.gateway().mqttMaxConnectionsPerAddress(),
                "the defaults file agrees with the code");
        assertEquals(0, config.with("{\"gateway\":{\"mqtt_max_connections_per_address\":0}}").gateway().mqttMaxConnectionsPerAddress(), "0: no cap");
        ConfigException e = assertThrows(ConfigException.class, () -> config.with("{\"gateway\":{\"mqtt_max_connections_per_address\":100001}}"));
        assertEquals(List.of("gateway.mqtt_max_connections_per_address must be 0 (no cap) .. 100000, not 100001"), e.problems());
        e = assertThrows(ConfigException.class, () -> config.with("{\"gateway\":{\"mqtt_max_connections_per_address\":-1}}"));
        assertEquals(List.of("gateway.mqtt_max_connections_per_address must be 0 (no cap) .. 100000, not -1"), e.problems());
    }

    @Test
    void deadLettersPerCameraAndDayDefaultTo64MiBAndAtLeast1MiB() {
        assertEquals(64L << 20, PlatewardenConfig.demoConfig().deadletter().maxBytesPerCameraPerDay());
        assertEquals(DeadLetterConfig.defaults(), PlatewardenConfig.demoConfig().deadletter(), "the defaults file agrees with the code");
        assertEquals(1L << 30, PlatewardenConfig.demoConfig().with("{\"deadletter\":{\"max_bytes_per_camera_per_day\":1073741824}}")
                .deadletter().maxBytesPerCameraPerDay());
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"deadletter":{"max_bytes_per_camera_per_day":1000}}"""));
        assertTrue(e.getMessage().contains("deadletter.max_bytes_per_camera_per_day must be at least 1048576 (1 MiB), not 1000"), e.getMessage());
    }

    @Test
    void anonymousRecordBudgetsDefaultTo60PerAddressAnd3000PerNodeAndMustBeAtLeastOne() {
        SearchConfig search = PlatewardenConfig.demoConfig().search();
        assertEquals(60, search.anonymousRecordsPerMinutePerAddress());
        assertEquals(3000, search.anonymousRecordsPerMinute());
        assertEquals(SearchConfig.defaults().anonymousRecordsPerMinutePerAddress(), search.anonymousRecordsPerMinutePerAddress(), "the defaults file agrees with the code");
        assertEquals(SearchConfig.defaults().anonymousRecordsPerMinute(), search.anonymousRecordsPerMinute(), "the defaults file agrees with the code");
        SearchConfig tight = PlatewardenConfig.demoConfig().with("""
                {"search":{"anonymous_records_per_minute_per_address":1,"anonymous_records_per_minute":1}}""").search();
        assertEquals(1, tight.anonymousRecordsPerMinutePerAddress());
        assertEquals(1, tight.anonymousRecordsPerMinute());
        // both problems in one message, each naming its key
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"search":{"anonymous_records_per_minute_per_address":0,"anonymous_records_per_minute":-5}}"""));
        assertTrue(e.getMessage().contains("search.anonymous_records_per_minute_per_address must be at least 1"), e.getMessage());
        assertTrue(e.getMessage().contains("search.anonymous_records_per_minute must be at least 1"), e.getMessage());
        assertTrue(e.getMessage().contains("not -5"), e.getMessage());
        ConfigException wrongType = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"search":{"anonymous_records_per_minute":"lots"}}"""));
        assertTrue(wrongType.getMessage().contains("search.anonymous_records_per_minute"), wrongType.getMessage());
    }

    @Test
    void refusedRecordBudgetDefaultsTo120PerUserAndMustBeAtLeastOne() {
        SearchConfig search = PlatewardenConfig.demoConfig().search();
        assertEquals(120, search.refusedRecordsPerMinutePerUser());
        assertEquals(SearchConfig.defaults().refusedRecordsPerMinutePerUser(), search.refusedRecordsPerMinutePerUser(), "the defaults file agrees with the code");
        assertEquals(1, PlatewardenConfig.demoConfig().with("""
                {"search":{"refused_records_per_minute_per_user":1}}""").search().refusedRecordsPerMinutePerUser());
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"search":{"refused_records_per_minute_per_user":0}}"""));
        assertTrue(e.getMessage().contains("search.refused_records_per_minute_per_user must be at least 1"), e.getMessage());
        assertTrue(e.getMessage().contains("not 0"), e.getMessage());
        ConfigException wrongType = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"search":{"refused_records_per_minute_per_user":"lots"}}"""));
        assertTrue(wrongType.getMessage().contains("search.refused_records_per_minute_per_user"), wrongType.getMessage());
    }

    @Test
    void auditStepsOverlapByDefaultAndCanBeTurnedOff() {
        assertTrue(SearchConfig.DEFAULT_AUDIT_OVERLAP_STEPS);
        assertTrue(PlatewardenConfig.demoConfig().search().auditOverlapSteps(), "the defaults file agrees with the code");
        assertEquals(SearchConfig.defaults().auditOverlapSteps(), PlatewardenConfig.demoConfig().search().auditOverlapSteps());
        assertFalse(PlatewardenConfig.demoConfig().with("{\"search\":{\"audit_overlap_steps\":false}}").search().auditOverlapSteps());
    }

    @Test
    void unknownKeysAreRejectedButCommentsAreNot(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.json");
        Files.writeString(file, "{\"_comment\":\"hello\",\"retention_days\":14}");
        assertEquals(14, PlatewardenConfig.load(file).retentionDays());
        Files.writeString(file, "{\"retention_dayz\":14}");
        assertThrows(ConfigException.class, () -> PlatewardenConfig.load(file));
    }

    @Test
    void twoServicesOnOnePortAreRefusedNamingBothSettings() {
        assertProblem("{\"gateway\":{\"http_port\":9100},\"search\":{\"port\":9100}}",
                "gateway.http_port and search.port are both 9100");
        assertProblem("{\"gateway\":{\"http_port\":9101,\"mqtt_port\":9101}}",
                "gateway.http_port and gateway.mqtt_port are both 9101");
        assertProblem("{\"gateway\":{\"mqtt_tls_port\":8081,\"tls_cert_path\":\"c\",\"tls_key_path\":\"k\"}}",
                "gateway.mqtt_tls_port and search.port are both 8081");
        // 0 = any free port, each listener its own: it may repeat; mqtt_tls_port 0 is "off"
        PlatewardenConfig.demoConfig().with("{\"gateway\":{\"http_port\":0,\"mqtt_port\":0},\"search\":{\"port\":0}}");
        // the search API on another address than the gateway may take the same port number
        PlatewardenConfig.demoConfig().with("""
                {"gateway":{"host":"10.0.0.1","http_port":9100},"search":{"host":"127.0.0.1","port":9100}}""");
        assertProblem("""
                {"gateway":{"host":"0.0.0.0","http_port":9100},"search":{"host":"127.0.0.1","port":9100}}""",
                "gateway.http_port and search.port are both 9100");
    }

    @Test
    void valuesThatCannotWorkAreRefused() {
        assertProblem("{\"gateway\":{\"future_skew_seconds\":-1}}", "gateway.future_skew_seconds must be >= 0");
        assertEquals(0, PlatewardenConfig.demoConfig().with("{\"gateway\":{\"future_skew_seconds\":0}}").gateway().futureSkewSeconds());
        // a config for real use ("demo": false) that still holds a public demo secret
        assertProblem("{\"demo\":false}", "the public demo credentials are configured (camera cam-001, camera cam-002");
        assertProblem("{\"demo\":false}", "token of fed.investigator) but \"demo\" is false");
        // the demo secret hashed anew (another salt) is still the public secret
        assertProblem("{\"demo\":false,\"tokens\":[],\"cameras\":[{\"id\":\"cam-001\",\"agency\":\"DPD\",\"secret_hash\":\""
                + SecretHash.hash("demo-cam-001") + "\"}]}", "the public demo credentials are configured (camera cam-001)");
        assertEquals("cam-001", PlatewardenConfig.demoConfig().with("{\"demo\":false,\"tokens\":[],\"cameras\":[{\"id\":\"cam-001\","
                + "\"agency\":\"DPD\",\"secret_hash\":\"" + SecretHash.hash("a-real-secret") + "\"}]}").cameras().get(0).id());
        assertProblem("{\"gateway\":{\"http_port\":18080.5}}", "gateway.http_port");
        assertProblem("{\"gateway\":{\"http_tls\":true}}", "gateway.http_tls needs gateway.tls_cert_path and gateway.tls_key_path");
        assertProblem("{\"search\":{\"tls_cert_path\":\"/etc/hosts\"}}", "search.tls_cert_path and search.tls_key_path go together");
        assertProblem("{\"cameras\":[{\"id\":\"cam-9\",\"agency\":\"DPD\",\"secret_hash\":\"" + SecretHash.hash("s")
                + "\",\"previous_secret_hash\":\"plain-old-secret\"}]}", "camera cam-9 has a previous_secret_hash that is not well-formed");
        assertProblem("{\"gateway\":{\"mqtt_tls_port\":8883,\"tls_cert_path\":\"/nonexistent/cert.pem\",\"tls_key_path\":\"/nonexistent/key.pem\"}}",
                "gateway.tls_cert_path is not a readable file: /nonexistent/cert.pem");
        assertProblem("{\"shutdown_grace_seconds\":-1}", "shutdown_grace_seconds must be 0 (close at once) .. 300");
        assertProblem("{\"shutdown_grace_seconds\":301}", "shutdown_grace_seconds must be 0 (close at once) .. 300");
        assertEquals(10, PlatewardenConfig.demoConfig().shutdownGraceSeconds(), "the default grace");
        assertProblem("{\"search\":{\"min_known_chars\":0}}", "search.min_known_chars must be at least 2");
        assertProblem("{\"search\":{\"min_known_chars\":1}}", "search.min_known_chars must be at least 2");
        assertEquals(2, PlatewardenConfig.demoConfig().with("{\"search\":{\"min_known_chars\":2}}").search().minKnownChars());
        assertProblem("{\"search\":{\"allowed_purposes\":[]}}", "search.allowed_purposes is empty");
        assertProblem("{\"search\":{\"allowed_purposes\":[\"stolen_vehicle\",\" \"]}}", "search.allowed_purposes has a blank entry");
        assertProblem("{\"indexer\":{\"bulk_max_wait_ms\":-1}}", "indexer.bulk_max_wait_ms must be >= 0");
        assertProblem("{\"gateway\":{\"host\":\" \"}}", "gateway.host is required");
        assertProblem("{\"search\":{\"host\":\"\"}}", "search.host is required");
        assertProblem("{\"jwt\":{\"secret\":\"" + "s".repeat(40) + "\"}}", "jwt.algorithm must be HS256 or RS256");
    }

    @Test
    void anRs256KeyThatTheVerifierCouldNotUseIsRefusedAtStartAndReload() throws Exception {
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        java.security.KeyPair pair = rsa.generateKeyPair();
        String publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded());
        assertEquals("RS256", PlatewardenConfig.demoConfig().with(rs256(publicPem)).jwt().algorithm(), "a public key PEM serves");
        // no PEM at all: the search API failed to start again and again, its banner blaming Elasticsearch
        assertProblem(rs256("not a pem"), "jwt.public_key_pem is not one PEM block");
        assertProblem(rs256(publicPem.substring(0, 60)), "jwt.public_key_pem is not one PEM block");
        // an EC key with RS256: every token would be refused
        java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        assertProblem(rs256(pem("PUBLIC KEY", ec.generateKeyPair().getPublic().getEncoded())), "jwt.public_key_pem is not an RSA public key (RS256)");
        // the private key has no place in the verifier's file: whoever reads it could mint tokens
        assertProblem(rs256(pem("PRIVATE KEY", pair.getPrivate().getEncoded())), "jwt.public_key_pem is a PRIVATE KEY, not an RSA public key");
    }

    @Test
    void aPlainSecretWhereTheHashGoesIsRefusedWithoutEchoingIt() {
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with(
                "{\"cameras\":[{\"id\":\"cam-9\",\"agency\":\"DPD\",\"secret_hash\":\"my-plain-camera-secret\"}]}"));
        assertEquals(List.of("camera cam-9 has no well-formed secret_hash (a PBKDF2 hash, pbkdf2-sha256$…, from ./platewarden hash-secret,"
                + " not the secret itself)"), e.problems());
        assertFalse(e.getMessage().contains("my-plain-camera-secret"));
    }

    private static String rs256(String pem) {
        return "{\"jwt\":{\"algorithm\":\"RS256\",\"public_key_pem\":\"" + pem + "\"}}";
    }

    /** A PEM block as JSON string content (line breaks as \\n). */
    private static String pem(String label, byte[] der) {
        String pem = "-----BEGIN " + label + "-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + label + "-----\n";
        return pem.replace("\n", "\\n");
    }

    @Test
    void agenciesAndTokensMustBeUsable() {
        String investigator = "{\"user\":\"a\",\"agency\":\"DPD\",\"roles\":[\"investigator\"],\"token_sha256\":\"" + "a".repeat(64) + "\"}";
        String sameToken = "{\"user\":\"b\",\"agency\":\"DPD\",\"roles\":[\"auditor\"],\"token_sha256\":\"" + "a".repeat(64) + "\"}";
        assertProblem("{\"tokens\":[" + investigator + "," + sameToken + "]}", "tokens of users a and b have the same token_sha256");
        assertProblem("{\"tokens\":[{\"user\":\"\",\"agency\":\"DPD\",\"roles\":[\"auditor\"],\"token_sha256\":\"" + "b".repeat(64) + "\"}]}",
                "a token has no user");
        assertProblem("{\"tokens\":[{\"user\":\"c\",\"agency\":\"DPD\",\"roles\":[],\"token_sha256\":\"" + "b".repeat(64) + "\"}]}",
                "token of user c has no roles");
        assertProblem("""
                {"agencies":[{"id":"DPD","name":"D","federal":false,"shares_with":[]},{"id":" ","name":"X","federal":false}],
                 "cameras":[],"tokens":[]}""", "an agency has no id");
        assertProblem("{\"agencies\":null}", "agencies may not be null");
        assertProblem("{\"gateway\":null}", "gateway may not be null");
        assertProblem("{\"search\":{\"allowed_purposes\":null}}", "search.allowed_purposes may not be null");
        // a null that means "none" stays allowed where the default is null
        assertEquals(null, PlatewardenConfig.demoConfig().with("{\"jwt\":null,\"es_url\":null}").jwt());
    }

    @Test
    void everyUnknownKeyAndEveryOtherProblemIsReportedTogether() {
        assertExactly("""
                {"gateway":{"bogus":1},"foo":true,"agencies":[{"id":"DPD","name":"D","colour":"blue"}],
                 "cameras":[],"tokens":[],"retention_days":0,"search":{"min_known_chars":0}}""",
                "unknown key gateway.bogus", "unknown key foo", "unknown key agencies[0].colour", "retention_days must be 1..3650",
                "search.min_known_chars");
    }

    @Test
    void aValueOfTheWrongTypeOrANullItemDoesNotHideTheOtherProblems() {
        assertExactly("""
                {"gateway":{"http_port":"eighty"},"agencies":[{"id":"DPD","name":"D","federal":"maybe"},null],
                 "cameras":[],"tokens":[],"retention_days":0,"spool":null}""",
                "gateway.http_port: expected an integer, not the string \"eighty\"", "agencies[0].federal: expected true or false, not the string \"maybe\"", "agencies[1] may not be null",
                "spool may not be null", "retention_days must be 1..3650");
        assertExactly("[]", "the configuration must be a JSON object, not array");
    }

    @Test
    void aScalarOfTheWrongTypeIsRefusedNotConverted() {
        // Jackson would read "21" as 21, 1 as true and 5 as "5": each is a mistake in the file
        assertExactly("""
                {"retention_days":"21","spool":{"preallocate":1},"node_id":5,"search":{"host":true,"allowed_purposes":"x"},"es_url":{},
                 "indexer":{"bulk_max_reads":21.5},
                 "gateway":{"http_tls":"true","max_reads_per_request":""},"agencies":[{"id":"DPD","name":"D","federal":0}],
                 "cameras":[],"tokens":[],"hold_max_days":0}""",
                "retention_days: expected an integer, not the string \"21\"",
                "spool.preallocate: expected true or false, not the number 1",
                "node_id: expected a string, not the number 5",
                "search.host: expected a string, not true",
                "gateway.http_tls: expected true or false, not the string \"true\"",
                "gateway.max_reads_per_request: expected an integer, not an empty string",
                "agencies[0].federal: expected true or false, not the number 0",
                "search.allowed_purposes: expected a list, not the string \"x\"", "es_url: expected a string, not an object",
                "indexer.bulk_max_reads: expected an integer, not the number 21.5",
                "hold_max_days must be 1..3650");
        // the right types and a null where the default is null still bind
        PlatewardenConfig ok = PlatewardenConfig.demoConfig().with("""
                {"retention_days":21,"spool":{"preallocate":false},"node_id":"5","jwt":null,"es_url":null}""");
        assertEquals(21, ok.retentionDays());
        assertEquals(false, ok.spool().preallocate());
        assertEquals("5", ok.nodeId());
    }

    @Test
    void unparseableOverridesAreAConfigProblem() {
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("{\"gateway\":{"));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    /** The overrides are refused with exactly these problems, each named by a part of its message. */
    private static void assertExactly(String overrides, String... expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with(overrides), overrides);
        for (String x : expected) assertTrue(e.problems().stream().anyMatch(p -> p.contains(x)), "expected '" + x + "' in " + e.getMessage());
        assertEquals(expected.length, e.problems().size(), e.getMessage());
    }

    private static void assertProblem(String overrides, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with(overrides), overrides);
        assertTrue(e.problems().stream().anyMatch(p -> p.contains(expected)), "expected '" + expected + "' in " + e.getMessage());
    }

    @Test
    void exampleDeploymentConfigIsValid() {
        Path example = Path.of(System.getProperty("platewarden.repo.root", ".."), "deploy", "config.example.json");
        PlatewardenConfig c = PlatewardenConfig.load(example);
        assertEquals("/var/lib/platewarden", c.dataDir());
        assertEquals(3, c.cameras().size());
        assertTrue(c.agency("DPD").orElseThrow().oversight(), "an example marks the agency whose auditors read every agency's records");
    }

    @Test
    void trustedProxiesAreAddressesOrBlocksCheckedAtStartUp() {
        assertEquals(List.of(), PlatewardenConfig.demoConfig().search().trustedProxyRanges(), "none by default");
        PlatewardenConfig ok = PlatewardenConfig.demoConfig().with("""
                {"search":{"trusted_proxies":["10.0.0.0/8","2001:db8::7"]}}""");
        assertEquals(List.of(AddressRange.parse("10.0.0.0/8"), AddressRange.parse("2001:db8::7")), ok.search().trustedProxyRanges());
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("""
                {"search":{"trusted_proxies":["lb.city.example","10.0.0.0/40"]}}"""));
        assertTrue(e.getMessage().contains("search.trusted_proxies: 'lb.city.example' is not an IP address or CIDR block"), e.getMessage());
        assertTrue(e.getMessage().contains("search.trusted_proxies: '10.0.0.0/40' has a prefix length outside 0..32"), e.getMessage());
    }
}
