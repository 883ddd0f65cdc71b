package org.platewarden.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
    void exampleDeploymentConfigIsValid() {
        Path example = Path.of(System.getProperty("platewarden.repo.root", ".."), "deploy", "config.example.json");
        PlatewardenConfig c = PlatewardenConfig.load(example);
        assertEquals("/var/lib/platewarden", c.dataDir());
        assertEquals(3, c.cameras().size());
    }
}
