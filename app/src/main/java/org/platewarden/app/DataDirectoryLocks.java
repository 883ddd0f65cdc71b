package org.platewarden.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.io.LockFile;
import org.platewarden.search.audit.AuditJournal;

/**
 * Refuses, first of all, a node whose data directory another Platewarden uses: the locks its roles
 * will take (the spool's for a gateway or indexer, the audit journal's for the search API) are tried
 * and let go at once, before the embedded Elasticsearch is prepared or a port is bound. Otherwise a
 * second {@code run} on the same data directory said "port 9200 in use" (the first node's
 * Elasticsearch) rather than what is wrong. The roles take the locks for good later; one taken
 * meanwhile is still refused there.
 */
final class DataDirectoryLocks {
    private DataDirectoryLocks() {
    }

    static void requireFree(PlatewardenConfig config, Set<Role> roles) throws IOException {
        Path dataDir = config.dataPath().toAbsolutePath().normalize();
        if (roles.contains(Role.GATEWAY) || roles.contains(Role.INDEXER)) {
            Path spoolLock = config.dataPath().resolve("spool").resolve(".lock");
            LockFile lock = LockFile.tryAcquire(spoolLock);
            if (lock == null) throw held(dataDir, "its spool (" + spoolLock + ")", "give this node its own data dir (--data-dir or data_dir)");
            lock.close();
        }
        if (roles.contains(Role.SEARCH)) {
            Path journal = AuditJournal.pathFor(config.dataPath(), config.nodeId());
            try {
                AuditJournal.requireFree(journal);
            } catch (LockFile.HeldException e) {
                throw held(dataDir, "the audit journal of node_id " + config.nodeId() + " (" + AuditJournal.lockFileOf(journal) + ")",
                        "give this node its own node_id or data dir");
            }
        }
    }

    private static LockFile.HeldException held(Path dataDir, String what, String otherwise) {
        return new LockFile.HeldException("the data directory " + dataDir + " is in use by another Platewarden (pid "
                + PlatewardenNode.pidIn(dataDir.resolve("run").resolve("node.json")) + "): it holds " + what + "; stop it first, or " + otherwise);
    }
}
