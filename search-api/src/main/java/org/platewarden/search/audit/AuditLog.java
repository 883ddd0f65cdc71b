package org.platewarden.search.audit;

import io.vertx.core.Future;

/**
 * The tamper-evident audit trail. {@link #record} completes only once the record is durable
 * (fsynced locally and written to the audit index); a caller must not send any result before that,
 * and must fail the request if it fails (fail closed).
 */
public interface AuditLog {
    Future<AuditRecord> record(AuditEntry entry);
}
