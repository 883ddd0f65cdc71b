package org.platewarden.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.platewarden.core.config.ConfigException;
import org.platewarden.core.config.ConfigReload;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.tls.LiveTls;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.AuditRecord;
import org.platewarden.search.audit.CanonicalJson;
import org.platewarden.search.audit.Corrections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's reload of its credentials from its configuration file, and of its TLS listeners'
 * certificates from theirs: read and validated on a worker
 * thread ({@link #prepare}), for {@code POST /v1/ops/config/reload} and for {@code SIGHUP}
 * ({@link #reloadOnSignal}).
 *
 * <p>A signal's reload is recorded as the endpoint's is, as user {@value #SIGNAL_USER} (Platewarden's
 * own record, as {@code platewarden:until-passed} for the automatic release of a hold): right after it
 * is applied, with what it changes in counts, never a secret; a refused file (invalid) gets a record too.
 * A signal's reload is applied first and recorded after, its record owed when the trail cannot take
 * it ({@link #recordApplied}): revoking must work at once, also while the trail is down. (The
 * endpoint's reload, an ordinary audited request, is recorded first and refused 503 then.) A node without a trail — no search role, or one
 * that waits for Elasticsearch — logs the reload only.
 */
final class ConfigReloader {
    /** The user of a signal's reload record. */
    static final String SIGNAL_USER = "platewarden:sighup";
    static final String ACTION = "config_reload";
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    private final Vertx vertx;
    private final PlatewardenConfig running;
    private final LiveCredentials credentials;
    /** the certificates the TLS listeners serve: a reload re-reads their files and swaps renewed ones in */
    private final LiveTls tls;
    private final Supplier<PlatewardenConfig> source;
    /** the search role's audit trail once it runs; null before, and on a node without that role */
    private final Supplier<AuditLog> audit;

    /**
     * @param running     the configuration the node started with
     * @param credentials the credentials in force, which a reload replaces
     * @param tls         the certificates the TLS listeners serve, which a reload renews
     * @param source      reads the configuration as the node did at start (the same file, flags and overrides)
     * @param audit       the audit trail, when the node runs one (else null)
     */
    ConfigReloader(Vertx vertx, PlatewardenConfig running, LiveCredentials credentials, LiveTls tls, Supplier<PlatewardenConfig> source, Supplier<AuditLog> audit) {
        this.vertx = vertx;
        this.running = running;
        this.credentials = credentials;
        this.tls = tls;
        this.source = source;
        this.audit = audit;
    }

    /** Reads and validates the file on a worker thread; fails with {@link ConfigException} when it is invalid. */
    Future<ConfigReload.Prepared> prepare() {
        return vertx.executeBlocking(() -> ConfigReload.prepare(running, credentials, source, tls), false);
    }

    /**
     * A reload asked by {@code SIGHUP}: prepared, recorded (where the node has an audit trail), then
     * applied; every outcome logged. Completes once done, never failed.
     */
    Future<Void> reloadOnSignal() {
        AuditLog log = audit.get();
        return prepare().transform(read -> {
            if (read.failed()) return refused(log, read.cause());
            ConfigReload.Prepared prepared = read.result();
            if (log == null) {
                applied(prepared, "SIGHUP; no audit trail on this node");
                return Future.<Void>succeededFuture();
            }
            // applied first, then recorded: see recordApplied
            String conflict = applied(prepared, "SIGHUP");
            AuditEntry entry = conflict == null ? entry("allowed", prepared.describe(), 200)
                    : entry(Corrections.FAILED, prepared.describe() + "; not applied: " + conflict, 409);
            return recordApplied(log, entry);
        });
    }

    /**
     * A signal's reload is applied before its record is written, and its record is written after,
     * or owed to the trail (written ahead of the next records once it takes them) when it cannot be
     * written now. A signal is the ops team's lever for cutting off a leaked camera secret or token at
     * once, and it must work at once while the trail is down or slow (a hung Elasticsearch would hold a
     * record-first reload for the audit write's timeout, the old credentials working meanwhile);
     * nothing it grants can be used unrecorded meanwhile: every search fails closed while the trail
     * takes no records, and an owed record comes ahead of the next. (The endpoint's reload, an ordinary
     * audited change, stays record-first.) Completes once done, never failed.
     */
    private static Future<Void> recordApplied(AuditLog log, AuditEntry entry) {
        return log.record(entry).<Void>mapEmpty().recover(e -> {
            String recorded = Corrections.recordedAs(e);
            if (recorded != null) {
                LOG.warn("configuration reload (SIGHUP): its audit record {} reached the trail but not both its copies ({})", recorded, e.toString());
                return Future.succeededFuture();
            }
            LOG.warn("configuration reload (SIGHUP): its audit record could not be written ({}); it is owed to the trail and written "
                    + "once the trail takes records", e.toString());
            String late = "allowed".equals(entry.outcome())
                    ? " (applied on SIGHUP while the audit trail could not take records; recorded once it could)"
                    : " (recorded once the audit trail could take records)";
            return Corrections.owe(log, entry(entry.outcome(), entry.reason() + late, entry.status()), "configuration reload (SIGHUP)");
        }).otherwiseEmpty();
    }

    /** Puts the prepared reload in force and logs it; returns null, or why it was not applied (another reload came first). */
    private static String applied(ConfigReload.Prepared prepared, String how) {
        try {
            prepared.apply();
        } catch (ConfigReload.ReloadConflictException e) {
            LOG.error("configuration reload ({}) NOT applied: {}", how, e.getMessage());
            return e.getMessage();
        }
        LOG.info("configuration reloaded ({}): {}", how, prepared.describe());
        return null;
    }

    /** The file could not be read or is invalid: nothing changes; logged, and recorded where the node has a trail. */
    private static Future<Void> refused(AuditLog log, Throwable failure) {
        String why = failure instanceof ConfigException invalid ? ConfigReload.problems(invalid) : "reading the configuration failed: " + failure;
        LOG.error("configuration reload (SIGHUP) refused: {}", why);
        if (log == null) return Future.succeededFuture();
        return log.record(entry("invalid", why, 422))
                .onFailure(e -> LOG.error("the refused configuration reload (SIGHUP) could not be recorded: {}", e.toString()))
                .<Void>mapEmpty().otherwiseEmpty();
    }

    /** A signal's record: Platewarden's own (no agency, no roles), its query naming the trigger. */
    static AuditEntry entry(String outcome, String reason, int status) {
        ObjectNode query = CanonicalJson.MAPPER.createObjectNode().put("trigger", "SIGHUP");
        return new AuditEntry(ACTION, SIGNAL_USER, null, Set.of(), null, null, query, null, outcome, reason, status, 0, List.of());
    }
}
