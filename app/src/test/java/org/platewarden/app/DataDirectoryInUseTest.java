package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.io.LockFile;
import org.platewarden.search.audit.AuditJournal;

/**
 * A second node on a data directory another Platewarden uses is told that first, before the embedded
 * Elasticsearch's port (the first node's Elasticsearch holds it) or any port of its own is looked at:
 * it said "port 9200 in use … or a Platewarden still running?".
 */
class DataDirectoryInUseTest {
    @TempDir
    Path dataDir;

    private PlatewardenConfig config() {
        return PlatewardenConfig.demoConfig().with("""
                {"node_id":"node-1","data_dir":"%s","es_url":"",
                 "gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0},"search":{"host":"127.0.0.1","port":0}}"""
                .formatted(dataDir.toString().replace("\\", "/")));
    }

    /** As the first node leaves it: its pid in run/node.json. */
    private void runFileOfPid(long pid) throws Exception {
        Files.createDirectories(dataDir.resolve("run"));
        Files.writeString(dataDir.resolve("run").resolve("node.json"), "{\"pid\":" + pid + "}\n");
    }

    @Test
    void aHeldSpoolIsSaidBeforeTheEmbeddedElasticsearchsPortTaken() throws Exception {
        runFileOfPid(4242);
        Path spoolLock = dataDir.resolve("spool").resolve(".lock");
        try (LockFile held = LockFile.acquire(spoolLock, "test");
             ServerSocket elasticsearch = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PlatewardenNode second = new PlatewardenNode(config(), EnumSet.of(Role.GATEWAY, Role.INDEXER));
            Exception refused = assertThrows(Exception.class, () -> second.open(null, elasticsearch.getLocalPort()));
            assertEquals("the data directory " + dataDir.toAbsolutePath().normalize() + " is in use by another Platewarden (pid 4242): it holds"
                    + " its spool (" + spoolLock + "); stop it first, or give this node its own data dir (--data-dir or data_dir)",
                    StartupFailure.describe(refused, config(), elasticsearch.getLocalPort()));
        }
    }

    @Test
    void aHeldJournalIsSaidBeforeTheEmbeddedElasticsearchsPortTaken() throws Exception {
        runFileOfPid(4343);
        Path journalLock = AuditJournal.lockFileOf(AuditJournal.pathFor(dataDir, "node-1"));
        try (LockFile held = LockFile.acquire(journalLock, "test");
             ServerSocket elasticsearch = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PlatewardenNode second = new PlatewardenNode(config(), EnumSet.of(Role.SEARCH));
            Exception refused = assertThrows(Exception.class, () -> second.open(null, elasticsearch.getLocalPort()));
            assertEquals("the data directory " + dataDir.toAbsolutePath().normalize() + " is in use by another Platewarden (pid 4343): it holds"
                    + " the audit journal of node_id node-1 (" + journalLock + "); stop it first, or give this node its own node_id or data dir",
                    StartupFailure.describe(refused, config(), elasticsearch.getLocalPort()));
        }
    }
}
