package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.audit.AuditEsSupport.await;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.search.audit.AnonymousBudget;
import org.platewarden.search.audit.AuditEsSupport;
import org.platewarden.search.audit.BudgetTallies;
import org.platewarden.search.audit.RecordedIds;
import org.platewarden.search.audit.RefusedRecordBudget;
import org.platewarden.search.audit.TallyFile;

/**
 * An unreadable tally file does not stop the node: it is moved aside whole (audit material, never
 * deleted), nothing is restored, and the start goes on. (Restoring a readable one asks the audit
 * index which ids are written: TallyCrashIT, on real Elasticsearch.)
 */
class TallyRestoreTest {
    @TempDir
    Path dataDir;
    private final Vertx vertx = Vertx.vertx();
    private final WorkerExecutor worker = vertx.createSharedWorkerExecutor("tally-restore-test", 1);

    @AfterEach
    void close() {
        await(vertx.close());
    }

    @Test
    void anUnreadableFileIsMovedAsideAndTheStartGoesOnWithoutIt() throws IOException {
        Path file = TallyFile.pathFor(dataDir, "node-t");
        Files.createDirectories(file.getParent());
        byte[] torn = "{\"version\":1,\"budgets\":{\"refused\":[{\"audit_id\":\"5f0c".getBytes();
        Files.write(file, torn);
        AnonymousBudget anonymous = AnonymousBudget.of(60, 3000);
        RefusedRecordBudget refused = new RefusedRecordBudget(1, 10, Duration.ofMinutes(1), java.time.Clock.systemUTC());
        List<BudgetTallies<?>> budgets = List.of(anonymous.tallies(), refused.tallies());

        // the index is not asked (nothing was read): no Elasticsearch behind it
        boolean[] fileBehind = new boolean[1];
        String log = AuditEsSupport.logOf(() -> fileBehind[0] = await(new TallyRestore(budgets, file, worker, new RecordedIds(null, "unused")).restore()));

        assertFalse(fileBehind[0], "nothing restored, nothing left behind in memory's place");
        assertTrue(log.contains("WARN") && log.contains(file.toString()) && log.contains("moved aside"), log);
        assertFalse(Files.exists(file));
        List<Path> aside;
        try (var listing = Files.list(file.getParent())) {
            aside = listing.filter(p -> p.getFileName().toString().startsWith("budgets-node-t.json.corrupt-")).toList();
        }
        assertEquals(1, aside.size(), aside.toString());
        assertArrayEquals(torn, Files.readAllBytes(aside.get(0)), "kept whole");
        assertEquals(0, anonymous.pendingRequests() + refused.pendingRequests());
    }
}
