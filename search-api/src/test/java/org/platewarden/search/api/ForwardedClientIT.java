package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@code search.trusted_proxies}: behind a trusted proxy the audit record names the client the proxy
 * saw and the proxy; from anyone else {@code X-Forwarded-For} is ignored. The stack trusts
 * {@link ApiStack#TRUSTED_PROXY} (127.0.0.2); its usual client connects from 127.0.0.1.
 */
class ForwardedClientIT extends ApiStackSupport {

    private JsonObject recordOfCase(String caseNumber) {
        JsonArray records = api.auditRecords("{\"term\":{\"case_number\":\"" + caseNumber + "\"}}");
        assertEquals(1, records.size(), records.encodePrettily());
        return records.getJsonObject(0);
    }

    @Test
    void behindTheTrustedProxyTheRecordNamesTheClientItSawAndTheProxy() {
        // the client forged the first entry; the proxy appended the address it saw
        assertEquals(200, api.postFrom(ApiStack.TRUSTED_PROXY, "/v1/search", SearchApiVerticleIT.INVESTIGATOR, "198.51.100.66, 203.0.113.9",
                ApiStack.searchBody("stolen_vehicle", "XFF-1")));
        JsonObject record = recordOfCase("XFF-1");
        assertEquals("203.0.113.9", record.getString("client_address"));
        assertEquals("127.0.0.2", record.getString("proxy_address"));

        // refused before any handler (no token): recorded by the request audit, with the same addresses
        assertEquals(401, api.postFrom(ApiStack.TRUSTED_PROXY, "/v1/search", null, "203.0.113.10",
                ApiStack.searchBody("stolen_vehicle", "XFF-2")));
        JsonObject refused = recordOfCase("XFF-2");
        assertEquals("203.0.113.10", refused.getString("client_address"));
        assertEquals("127.0.0.2", refused.getString("proxy_address"));

        // through the proxy without the header: the proxy itself is the client
        assertEquals(200, api.postFrom(ApiStack.TRUSTED_PROXY, "/v1/search", SearchApiVerticleIT.INVESTIGATOR, null,
                ApiStack.searchBody("stolen_vehicle", "XFF-3")));
        JsonObject own = recordOfCase("XFF-3");
        assertEquals("127.0.0.2", own.getString("client_address"));
        assertFalse(own.containsKey("proxy_address"), own.encode());
    }

    @Test
    void fromAnUntrustedPeerTheHeaderIsIgnored() {
        HttpResponse<Buffer> r = api.sendJson(api.client.post("/v1/search").putHeader("X-Forwarded-For", "203.0.113.9"),
                SearchApiVerticleIT.INVESTIGATOR, ApiStack.searchBody("stolen_vehicle", "XFF-4"));
        assertEquals(200, r.statusCode());
        JsonObject record = recordOfCase("XFF-4");
        assertEquals("127.0.0.1", record.getString("client_address"));
        assertFalse(record.containsKey("proxy_address"), record.encode());
    }

    @Test
    void theAuditCsvHasTheProxyColumn() {
        assertEquals(200, api.postFrom(ApiStack.TRUSTED_PROXY, "/v1/search", SearchApiVerticleIT.SUPERVISOR, "203.0.113.20",
                ApiStack.searchBody("homicide", "XFF-CSV")));
        HttpResponse<Buffer> r = api.send(api.client.get("/v1/audit?format=csv&user=dpd.supervisor&purpose=homicide"), SearchApiVerticleIT.AUDITOR);
        assertEquals(200, r.statusCode());
        String[] lines = r.bodyAsString().split("\r\n");
        assertTrue(lines[0].endsWith(",auth_method,proxy_address,window_from,window_to,page_limit"), lines[0]);
        String line = Arrays.stream(lines).filter(l -> l.contains("XFF-CSV")).findFirst().orElseThrow();
        assertTrue(line.contains(",203.0.113.20,"), line);
        assertTrue(line.endsWith(",127.0.0.2,,,"), line + ": the proxy, and no window (this stand-in search states none)");
    }
}
