package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.Test;

/** The NDJSON body the transport sends and how it reads Elasticsearch's filtered answer. */
class ElasticsearchBulkTransportTest {

    private static PendingRead read(String index, String id, String document) {
        byte[] doc = document.getBytes(StandardCharsets.UTF_8);
        return new PendingRead(1, index, id, "cam-001", doc, doc, 0);
    }

    @Test
    void bodyIsOneActionLineAndOneDocumentLinePerReadWithIdsEscaped() throws Exception {
        String oddId = "cam-001:\"quoted\"\\back\u00e9\u0001";
        byte[] body = EntityUtils.toByteArray(ElasticsearchBulkTransport.body(List.of(
                read("p-reads-2026.01.01", oddId, "{\"a\":\n1}"),
                read("p-reads-2026.01.02", "r2", "{\"b\":2}"))));
        String[] lines = new String(body, StandardCharsets.UTF_8).split("\n", -1);
        assertEquals(5, lines.length, "two lines per read, then the final newline");
        assertEquals("", lines[4]);
        JsonNode action = EsRest.MAPPER.readTree(lines[0]).path("create");
        assertEquals("p-reads-2026.01.01", action.path("_index").asText());
        assertEquals(oddId, action.path("_id").asText(), "the id survives JSON escaping exactly");
        assertEquals(1, EsRest.MAPPER.readTree(lines[1]).path("a").asInt(), "a raw newline inside a document becomes a space");
        assertEquals("r2", EsRest.MAPPER.readTree(lines[2]).path("create").path("_id").asText());
        assertEquals("{\"b\":2}", lines[3], "documents are copied as they are");
    }

    @Test
    void resultsFollowTheItemsInOrderWithErrorTypeAndReason() throws Exception {
        JsonNode response = EsRest.MAPPER.readTree("{\"errors\":true,\"items\":["
                + "{\"create\":{\"_index\":\"i\",\"status\":201}},"
                + "{\"create\":{\"_index\":\"i\",\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"exists\"}}},"
                + "{\"create\":{\"_index\":\"i\",\"status\":400,\"error\":{\"type\":\"document_parsing_exception\",\"reason\":\"bad\"}}}]}");
        List<BulkItemResult> results = ElasticsearchBulkTransport.toResults(response, 3);
        assertEquals(201, results.get(0).status());
        assertNull(results.get(0).errorType());
        assertEquals(ItemVerdict.INDEXED, ItemVerdict.of(results.get(0)));
        assertEquals("version_conflict_engine_exception", results.get(1).errorType());
        assertEquals(400, results.get(2).status());
        assertEquals("bad", results.get(2).errorReason());
        assertEquals(ItemVerdict.DEAD_LETTER, ItemVerdict.of(results.get(2)));
    }

    @Test
    void anAnswerThatDoesNotAccountForEveryReadFailsTheWholeRequest() throws Exception {
        JsonNode oneItem = EsRest.MAPPER.readTree("{\"errors\":false,\"items\":[{\"create\":{\"status\":201}}]}");
        assertThrows(IllegalStateException.class, () -> ElasticsearchBulkTransport.toResults(oneItem, 2));
        JsonNode noStatus = EsRest.MAPPER.readTree("{\"errors\":false,\"items\":[{\"create\":{\"_index\":\"i\"}}]}");
        assertThrows(IllegalStateException.class, () -> ElasticsearchBulkTransport.toResults(noStatus, 1));
    }
}
