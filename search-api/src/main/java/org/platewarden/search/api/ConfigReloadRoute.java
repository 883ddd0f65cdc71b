package org.platewarden.search.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.platewarden.core.config.ConfigException;
import org.platewarden.core.config.ConfigReload;
import org.platewarden.core.net.Answers;
import org.platewarden.search.auth.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/ops/config/reload} (ops): the node reads its configuration file again and puts
 * the new credentials — agencies, cameras, static tokens, JWT keys — in force without a restart.
 * Recorded as every change is, before it is made: the file is read and validated first (an invalid
 * one is a 422 naming every problem, recorded as {@code invalid}, and changes nothing), then the
 * record — its reason says what changes, in counts, never a secret, and which TLS certificates
 * are renewed or refused — then the swap. The answer lists the counts, the TLS listeners whose
 * renewed certificate is swapped in and those whose new files are refused (the old one stays
 * served), and the keys that differ but need a restart.
 */
final class ConfigReloadRoute {
    static final String ACTION = "config_reload";
    /** where the route's options go, for the 400 that refuses a query string */
    static final String OPTIONS = "it takes no options (it re-reads the node's configuration file; there is no dry run)";
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloadRoute.class);

    private final OpsApi ops;
    private final RequestAudit audit;

    ConfigReloadRoute(OpsApi ops, RequestAudit audit) {
        this.ops = ops;
        this.audit = audit;
    }

    void reload(RoutingContext ctx) {
        refuseOptions(ctx);
        Principal caller = ctx.get(RequestAudit.PRINCIPAL);
        Answers.answer(ctx, ops.prepareConfigReload()
                .onFailure(e -> {
                    if (FailureHandler.unwrap(e) instanceof ConfigException invalid) {
                        LOG.warn("configuration reload asked by {} refused, nothing changed: {}", caller.user(), ConfigReload.problems(invalid));
                    }
                })
                .compose(prepared -> audit.recordIntent(ctx, 200, null, 0, List.of(), prepared.describe()).map(prepared))
                .map(prepared -> {
                    prepared.apply();
                    LOG.info("configuration reloaded by {} (POST /v1/ops/config/reload, audit {}): {}", caller.user(),
                            ctx.<String>get(RequestAudit.INTENT_AUDIT_ID), prepared.describe());
                    return prepared;
                }), (c, prepared) -> Responses.json(c, 200, answer(prepared)));
    }

    /**
     * {"applied":true,"changes":{counts},"tls_reloaded":[listeners],"tls_refused":{listener:why},"needs_restart":[keys]}
     * (the audit id is added by {@link Responses}).
     */
    static JsonObject answer(ConfigReload.Prepared prepared) {
        JsonObject changes = new JsonObject();
        prepared.changes().counts().forEach(changes::put);
        JsonObject refused = new JsonObject();
        prepared.certificates().refused().forEach(refused::put);
        return new JsonObject().put("applied", true).put("changes", changes)
                .put("tls_reloaded", new JsonArray(prepared.certificates().reloaded()))
                .put("tls_refused", refused)
                .put("needs_restart", new JsonArray(List.copyOf(prepared.needsRestart())));
    }

    /** No body but an empty one or {@code {}}: a reload takes no options, and one asked for is not ignored. */
    private static void refuseOptions(RoutingContext ctx) {
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        if (body == null || body.toString().isBlank()) return;
        JsonObject options = SearchApiVerticle.jsonObjectBody(ctx);
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("POST " + ctx.request().path() + " takes no body but {}; " + OPTIONS + "; got "
                    + String.join(", ", new java.util.TreeSet<>(options.fieldNames())));
        }
    }
}
