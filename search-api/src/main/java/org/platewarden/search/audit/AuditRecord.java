package org.platewarden.search.audit;

import java.time.Instant;

/** An entry once it is part of the chain and durable: its id, position, time and hashes. */
public record AuditRecord(String auditId, long seq, Instant at, String nodeId, AuditEntry entry, String prevHash, String hash) {
}
