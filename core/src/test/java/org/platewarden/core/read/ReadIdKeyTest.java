package org.platewarden.core.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.ConfigException;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.LogCapture;

/** Where the key of derived read ids comes from: the config (every gateway alike), else the data dir, once. */
class ReadIdKeyTest {
    @TempDir
    Path dir;

    @Test
    void withoutAConfiguredKeyOneIsGeneratedOnceIntoTheDataDirAndKeptAcrossRestarts() throws Exception {
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("{\"data_dir\":\"" + dir + "\"}");
        String first = ReadIdKey.forNode(config).derive("cam-001", 1L, "ABC123");
        Path file = dir.resolve("keys").resolve(ReadIdKey.FILE);
        assertTrue(Files.isRegularFile(file));
        assertEquals(64, Files.readString(file).strip().length(), "32 bytes in hex");
        assertEquals(first, ReadIdKey.forNode(config).derive("cam-001", 1L, "ABC123"), "a restart derives the same ids");
        assertNotEquals(first, ReadIdKey.random().derive("cam-001", 1L, "ABC123"));
    }

    @Test
    void aKeyGeneratedBesideARestoredAuditJournalIsAWarningThatTheLostNodesKeyBelongsThere() throws Exception {
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("{\"data_dir\":\"" + dir + "\"}");
        Files.createDirectories(dir.resolve("audit"));
        Files.writeString(dir.resolve("audit").resolve("audit-node-1.ndjson"), "{}\n"); // put back from a backup
        try (LogCapture log = new LogCapture()) {
            ReadIdKey.forNode(config);
            String warning = log.lines().stream().filter(l -> l.contains("generated a new read id key")).findFirst().orElse("");
            assertTrue(warning.contains("WARN") && warning.contains("holds an audit journal") && warning.contains("keys/read-id.key back"),
                    log.lines().toString());
        }
        try (LogCapture log = new LogCapture()) {
            ReadIdKey.forNode(config);
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("generated")), "a key already there is not generated again");
        }
    }

    @Test
    void aKeyGeneratedOnANewDataDirectoryIsNoWarning() {
        try (LogCapture log = new LogCapture()) {
            ReadIdKey.forNode(PlatewardenConfig.demoConfig().with("{\"data_dir\":\"" + dir + "\"}"));
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("INFO") && l.contains("generated the read id key")), log.lines().toString());
        }
    }

    @Test
    void aConfiguredKeyIsEveryGatewaysAndMustBeLong() {
        String key = "k".repeat(32);
        PlatewardenConfig a = PlatewardenConfig.demoConfig().with("{\"data_dir\":\"" + dir.resolve("a") + "\",\"gateway\":{\"read_id_key\":\"" + key + "\"}}");
        PlatewardenConfig b = PlatewardenConfig.demoConfig().with("{\"data_dir\":\"" + dir.resolve("b") + "\",\"gateway\":{\"read_id_key\":\"" + key + "\"}}");
        assertEquals(ReadIdKey.forNode(a).derive("cam-001", 1L, "ABC123"), ReadIdKey.forNode(b).derive("cam-001", 1L, "ABC123"),
                "two gateways with the same configured key derive the same id");
        assertTrue(Files.notExists(dir.resolve("a").resolve("keys")), "no key file when one is configured");
        ConfigException e = assertThrows(ConfigException.class, () -> PlatewardenConfig.demoConfig().with("{\"gateway\":{\"read_id_key\":\"short\"}}"));
        assertTrue(e.getMessage().contains("gateway.read_id_key must be at least 32 characters"), e.getMessage());
    }
}
