package org.platewarden.search.query;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.AuditRecord;

/** An in-memory audit log for search tests (the durable, chained log is tested in the audit package). */
final class RecordingAuditLog implements AuditLog {
    final List<AuditEntry> entries = new CopyOnWriteArrayList<>();
    volatile boolean failing;

    @Override
    public Future<AuditRecord> record(AuditEntry entry) {
        if (failing) return Future.failedFuture(new IllegalStateException("audit index unavailable (test)"));
        entries.add(entry);
        String id = entry.auditId() != null ? entry.auditId() : UUID.randomUUID().toString();
        return Future.succeededFuture(new AuditRecord(id, entries.size(), Instant.now(), "test", entry, "prev", "hash"));
    }

    AuditEntry last() {
        return entries.get(entries.size() - 1);
    }
}
