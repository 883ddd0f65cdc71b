package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;
import static org.platewarden.search.api.ApiStack.term;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jwt.audience} through HTTP and the real audit log: a JWT minted for another service (its
 * {@code aud} names another audience, or none) is a 401 with {@code WWW-Authenticate: Bearer …
 * error="invalid_token"} and an audited refusal that says why, as every other JWT refusal; the
 * service's own tokens search as before; without the setting a token's {@code aud} is not looked at.
 */
class JwtAudienceIT {
    @TempDir
    Path dataDir;

    private static JsonObject aud(Object audience) {
        return new JsonObject().put("aud", audience);
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedAndTheRefusalAudited() {
        try (ApiStack stack = new ApiStack(dataDir, new JsonObject().put("jwt", new JsonObject().put("audience", "platewarden-search")))) {
            HttpResponse<Buffer> ours = stack.search(stack.jwt(aud("platewarden-search"), "jo.aud", "DPD", "investigator"),
                    searchBody("stolen_vehicle", "AUD-OURS"));
            assertEquals(200, ours.statusCode(), ours.bodyAsString());

            HttpResponse<Buffer> other = stack.search(stack.jwt(aud("some-other-service"), "jo.aud", "DPD", "investigator"),
                    searchBody("stolen_vehicle", "AUD-OTHER"));
            assertEquals(401, other.statusCode(), other.bodyAsString());
            assertEquals("Bearer realm=\"platewarden\", error=\"invalid_token\"", other.getHeader("WWW-Authenticate"));
            String error = other.bodyAsJsonObject().getString("error");
            assertTrue(error.contains("audience") && error.contains("platewarden-search"), error);

            HttpResponse<Buffer> none = stack.search(stack.jwt("jo.aud", "DPD", "investigator"), searchBody("stolen_vehicle", "AUD-NONE"));
            assertEquals(401, none.statusCode(), none.bodyAsString());
            assertTrue(none.bodyAsJsonObject().getString("error").contains("audience"), none.bodyAsString());

            HttpResponse<Buffer> number = stack.search(stack.jwt(aud(42), "jo.aud", "DPD", "investigator"), searchBody("stolen_vehicle", "AUD-NUMBER"));
            assertEquals(401, number.statusCode(), "refused with a reason, not a 500: " + number.bodyAsString());
            assertEquals("invalid token: claim aud must be a string or an array of strings", number.bodyAsJsonObject().getString("error"));

            JsonArray refused = stack.auditRecords("{\"bool\":{\"filter\":[" + term("outcome", "unauthorized") + "]}}");
            for (String caseNumber : new String[] {"AUD-OTHER", "AUD-NONE", "AUD-NUMBER"}) {
                JsonObject record = refused.stream().map(o -> (JsonObject) o).filter(o -> caseNumber.equals(o.getString("case_number")))
                        .findFirst().orElseThrow(() -> new AssertionError("no record of " + caseNumber + " in " + refused.encode()));
                assertEquals("anonymous", record.getString("user"), "a token that is not accepted names no caller");
                assertEquals(401, record.getInteger("status"));
                assertTrue(record.getString("reason").contains("aud"), record.encode());
            }
        }
    }

    @Test
    void withoutAConfiguredAudienceAnyAudIsAcceptedAsBefore() {
        try (ApiStack stack = new ApiStack(dataDir, new JsonObject())) {
            for (Object audience : new Object[] {"some-other-service", new JsonArray().add("x").add("y")}) {
                HttpResponse<Buffer> r = stack.search(stack.jwt(aud(audience), "jo.noaud", "DPD", "investigator"),
                        searchBody("stolen_vehicle", "NO-AUD-CHECK"));
                assertEquals(200, r.statusCode(), r.bodyAsString());
            }
        }
    }
}
