package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;

/**
 * {@code POST /v1/ops/config/reload} on the real audit log and Elasticsearch: a removed static token
 * is refused (401) from the next request while a kept one goes on; a new JWT secret ends the JWTs of
 * the old one; an invalid file is a 422 that names every problem and changes nothing; the reload is
 * recorded as {@code config_reload} with what it changed in counts, never a token's hash; what it
 * cannot apply is listed as needing a restart; only ops may reload, with no options.
 */
class ConfigReloadIT {
    private static final String OPS = "demo-dpd-ops";
    private static final String ACSO = "demo-acso-investigator";
    private static final String DPD = "demo-dpd-investigator";
    /** SHA-256 of demo-acso-investigator, as the config stores it: never in an answer or a record */
    private static final String ACSO_HASH = org.platewarden.core.config.SecretHash.sha256Hex(ACSO);

    @TempDir
    Path dataDir;

    @Test
    void aRemovedTokenIsRefusedAfterTheReloadAKeptOneStillWorksAndTheReloadIsAudited() {
        try (ApiStack api = new ApiStack(dataDir)) {
            assertEquals(200, api.search(ACSO, searchBody("stolen_vehicle", "RL-1")).statusCode());
            api.reloadSource = () -> withoutToken(api.config, "acso.investigator");

            HttpResponse<Buffer> reload = api.send(api.client.post("/v1/ops/config/reload"), OPS);
            assertEquals(200, reload.statusCode(), reload.bodyAsString());
            JsonObject answer = reload.bodyAsJsonObject();
            assertEquals(1, answer.getJsonObject("changes").getInteger("tokens_removed"));
            assertEquals(0, answer.getJsonObject("changes").getInteger("cameras_removed"));
            assertEquals(new JsonArray(), answer.getJsonArray("needs_restart"));
            assertFalse(reload.bodyAsString().contains(ACSO_HASH));

            HttpResponse<Buffer> refused = api.search(ACSO, searchBody("stolen_vehicle", "RL-2"));
            assertEquals(401, refused.statusCode(), refused.bodyAsString());
            assertEquals(200, api.search(DPD, searchBody("stolen_vehicle", "RL-3")).statusCode(), "a kept token goes on");

            JsonObject record = api.recordOf(reload);
            assertEquals("config_reload", record.getString("action"));
            assertEquals("dpd.ops", record.getString("user"));
            assertEquals("allowed", record.getString("outcome"));
            assertTrue(record.getString("reason").contains("static tokens: 0 added, 1 removed"), record.getString("reason"));
            assertFalse(record.encode().contains(ACSO_HASH), "no token's hash in the trail");
            assertEquals(reload.getHeader("X-Audit-Id"), answer.getString("audit_id"));
        }
    }

    @Test
    void anInvalidFileIsA422ThatNamesItsProblemsChangesNothingAndIsRecordedAsInvalid() {
        try (ApiStack api = new ApiStack(dataDir)) {
            // without the acso token (which would be removed) and with two invalid values
            api.reloadSource = () -> withoutToken(api.config, "acso.investigator").with("{\"retention_days\":0,\"search\":{\"min_known_chars\":1}}");

            HttpResponse<Buffer> reload = api.send(api.client.post("/v1/ops/config/reload"), OPS);
            assertEquals(422, reload.statusCode(), reload.bodyAsString());
            String error = reload.bodyAsJsonObject().getString("error");
            assertTrue(error.startsWith("invalid configuration, nothing changed: ") && error.contains("retention_days must be 1..3650")
                    && error.contains("search.min_known_chars must be at least 2"), error);
            assertEquals(200, api.search(ACSO, searchBody("stolen_vehicle", "RL-4")).statusCode(), "nothing changed");

            JsonObject record = api.recordOf(reload);
            assertEquals("config_reload", record.getString("action"));
            assertEquals("invalid", record.getString("outcome"));
            assertTrue(record.getString("reason").contains("retention_days"), record.encode());
        }
    }

    @Test
    void aNewJwtSecretEndsTheOldOnesTokensAndWhatCannotBeAppliedIsListedAsNeedingARestart() {
        try (ApiStack api = new ApiStack(dataDir)) {
            String before = api.jwt("jo.reload", "DPD", "investigator");
            assertEquals(200, api.search(before, searchBody("stolen_vehicle", "RL-5")).statusCode());
            String newSecret = "a-new-jwt-secret-of-at-least-32-characters";
            api.reloadSource = () -> api.config.with("{\"jwt\":{\"secret\":\"" + newSecret + "\"},\"search\":{\"max_results\":10},"
                    + "\"gateway\":{\"http_port\":18080}}");

            HttpResponse<Buffer> reload = api.send(api.client.post("/v1/ops/config/reload"), OPS);
            assertEquals(200, reload.statusCode(), reload.bodyAsString());
            assertEquals(1, reload.bodyAsJsonObject().getJsonObject("changes").getInteger("jwt_changed"));
            assertEquals(new JsonArray().add("gateway.http_port").add("search.max_results"), reload.bodyAsJsonObject().getJsonArray("needs_restart"));
            assertFalse(reload.bodyAsString().contains(newSecret));
            assertTrue(api.recordOf(reload).getString("reason").endsWith("not applied, needs a restart: gateway.http_port, search.max_results"));

            assertEquals(401, api.search(before, searchBody("stolen_vehicle", "RL-6")).statusCode(), "signed with the old secret");
            io.vertx.ext.auth.jwt.JWTAuth signer = io.vertx.ext.auth.jwt.JWTAuth.create(api.vertx, new io.vertx.ext.auth.jwt.JWTAuthOptions()
                    .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256").setBuffer(newSecret)));
            String after = signer.generateToken(new JsonObject().put("agency", "DPD").put("roles", new JsonArray().add("investigator")),
                    new io.vertx.ext.auth.JWTOptions().setAlgorithm("HS256").setExpiresInMinutes(60).setSubject("jo.reload"));
            assertEquals(200, api.search(after, searchBody("stolen_vehicle", "RL-7")).statusCode());
        }
    }

    @Test
    void aReloadWhoseRecordCannotBeWrittenIsNotApplied() {
        try (ApiStack api = new ApiStack(dataDir)) {
            api.reloadSource = () -> withoutToken(api.config, "acso.investigator");
            assertEquals(200, api.search(ACSO, searchBody("stolen_vehicle", "RL-10")).statusCode(), "the audit index holds a record");
            String settings = "/" + api.config.auditIndex() + "/_settings";
            HttpResponse<Buffer> reload;
            org.platewarden.search.audit.AuditEsSupport.call(api.es.rest(), "PUT", settings, "{\"index.blocks.write\":true}");
            try {
                reload = api.send(api.client.post("/v1/ops/config/reload"), OPS);
            } finally {
                org.platewarden.search.audit.AuditEsSupport.call(api.es.rest(), "PUT", settings, "{\"index.blocks.write\":false}");
            }
            assertEquals(503, reload.statusCode(), reload.bodyAsString());
            assertEquals(200, api.search(ACSO, searchBody("stolen_vehicle", "RL-9")).statusCode(), "the reload was not applied");
        }
    }

    @Test
    void onlyOpsMayReloadAndAReloadTakesNoOptions() {
        try (ApiStack api = new ApiStack(dataDir)) {
            api.reloadSource = () -> withoutToken(api.config, "acso.investigator");
            assertEquals(403, api.send(api.client.post("/v1/ops/config/reload"), DPD).statusCode());
            HttpResponse<Buffer> query = api.send(api.client.post("/v1/ops/config/reload?dry_run=true"), OPS);
            assertEquals(400, query.statusCode(), query.bodyAsString());
            HttpResponse<Buffer> body = api.sendJson(api.client.post("/v1/ops/config/reload"), OPS, new JsonObject().put("dry_run", true));
            assertEquals(400, body.statusCode(), body.bodyAsString());
            assertEquals("POST /v1/ops/config/reload takes no body but {}; it takes no options (it re-reads the node's configuration"
                    + " file; there is no dry run); got dry_run", body.bodyAsJsonObject().getString("error"));
            assertEquals(200, api.search(ACSO, searchBody("stolen_vehicle", "RL-8")).statusCode(), "none of them reloaded");
        }
    }

    /** The configuration without the static token of {@code user}, as a file without its entry would read. */
    static PlatewardenConfig withoutToken(PlatewardenConfig config, String user) {
        ObjectNode tree = config.toTree();
        ArrayNode tokens = (ArrayNode) tree.get("tokens");
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).path("user").asText().equals(user)) {
                tokens.remove(i);
                return PlatewardenConfig.fromTree(tree);
            }
        }
        throw new AssertionError("no token of " + user);
    }
}
