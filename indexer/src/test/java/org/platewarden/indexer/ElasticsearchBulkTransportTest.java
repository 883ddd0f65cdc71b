package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.Test;

/** The NDJSON body the transport sends and how it reads Elasticsearch's filtered answer. */
class ElasticsearchBulkTransportTest {
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    private static PendingRead read(String index, String id, String document) {
        byte[] doc = document.getBytes(StandardCharsets.UTF_8);
        return new PendingRead(1, index, id, "cam-001", AT, doc, null, false, 0);
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
    void eachDocumentIsTheSpooledReadWithItsPlateTermsWrittenStraightIntoTheBody() throws Exception {
        byte[] compact = ("{\"read_id\":\"r1\",\"captured_at\":\"2026-01-01T00:00:00Z\",\"plate_ocr\":\"A8C\\\"1\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] broken = ("{\"read_id\":\"r2\",\r\n\"captured_at\":\"2026-01-01T00:00:00Z\",\"plate_ocr\":\"XY\u00c97\"}\n")
                .getBytes(StandardCharsets.UTF_8);
        // long enough to need many chunks, so a document straddles chunk boundaries
        List<PendingRead> reads = new java.util.ArrayList<>();
        for (int i = 0; i < 400; i++) {
            reads.add(new PendingRead(i, "p-reads-2026.01.01", "r" + i, "cam-001", AT, compact, "A8C\"1", true, 0));
            reads.add(new PendingRead(i, "p-reads-2026.01.01", "s" + i, "cam-001", AT, broken, "XY\u00c97", false, 0));
        }
        String[] lines = new String(EntityUtils.toByteArray(ElasticsearchBulkTransport.body(reads)), StandardCharsets.UTF_8).split("\n", -1);
        assertEquals(4 * 400 + 1, lines.length);
        String first = new String(org.platewarden.core.read.IndexDocument.appendTerms(compact, "A8C\"1"), StandardCharsets.UTF_8);
        byte[] spaced = ElasticsearchBulkTransport.singleLine(broken);
        String second = new String(org.platewarden.core.read.IndexDocument.appendTerms(spaced, "XY\u00c97"), StandardCharsets.UTF_8);
        for (int i = 0; i < 400; i++) {
            assertEquals(first, lines[4 * i + 1], "the same bytes as the document built on its own");
            assertEquals(second, lines[4 * i + 3], "line breaks in the spooled read become spaces, terms escaped");
            assertEquals("s" + i, EsRest.MAPPER.readTree(lines[4 * i + 2]).path("create").path("_id").asText());
        }
        JsonNode doc = EsRest.MAPPER.readTree(second);
        assertEquals("XY\u00c97", doc.path("plate_ocr").asText());
        List<String> grams = new java.util.ArrayList<>();
        doc.path("plate_grams").forEach(g -> grams.add(g.asText()));
        assertEquals(org.platewarden.core.plate.PlateIndexTerms.grams("XY\u00c97"), grams, "a non-ASCII plate's terms, escaped, read back the same");
    }

    @Test
    void resultsFollowTheItemsInOrderWithErrorTypeAndReason() throws Exception {
        String response = ("{\"took\":3,\"errors\":true,\"items\":["
                + "{\"create\":{\"_index\":\"i\",\"status\":201}},"
                + "{\"create\":{\"_index\":\"i\",\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"exists\"}}},"
                + "{\"create\":{\"_index\":\"i\",\"error\":{\"type\":\"document_parsing_exception\",\"reason\":\"bad\","
                + "\"caused_by\":{\"type\":\"x\",\"reason\":[1,{\"status\":7}]}},\"status\":400}}],\"status\":[{\"items\":[]}]}");
        List<BulkItemResult> results = results(response, 3);
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
        assertThrows(IllegalStateException.class, () -> results("{\"errors\":false,\"items\":[{\"create\":{\"status\":201}}]}", 2));
        assertThrows(IllegalStateException.class, () -> results("{\"errors\":false,\"items\":[{\"create\":{\"_index\":\"i\"}}]}", 1));
        assertThrows(IllegalStateException.class, () -> results("{\"errors\":false,\"items\":[{\"create\":{\"status\":\"201\"}}]}", 1));
        assertThrows(IllegalStateException.class, () -> results("{\"errors\":false,\"items\":[{}]}", 1));
        assertThrows(IllegalStateException.class, () -> results("{\"errors\":false,\"items\":[201]}", 1));
        assertThrows(IllegalStateException.class, () -> results("{\"error\":{\"type\":\"x\"},\"status\":400}", 1), "a whole-request error has no items");
        assertEquals(201, results("{\"items\":[{\"create\":{\"status\":201}}]}", 1).get(0).status());
    }

    @Test
    void aLookupAnswerGivesTheStoredFieldsInOrderNullForNothingAndFailsOnAnyOtherError() throws Exception {
        List<PendingRead> reads = List.of(read("i", "a", "{}"), read("i", "b", "{}"), read("gone", "c", "{}"));
        String answer = "{\"docs\":[{\"_id\":\"a\",\"found\":true,\"_source\":{\"camera_id\":\"cam-7\",\"captured_at\":\"2026-01-01T00:00:00Z\",\"plate\":\"AB 12\",\"plate_norm\":\"AB12\"}},"
                + "{\"_id\":\"b\",\"found\":false},{\"_id\":\"c\",\"error\":{\"type\":\"index_not_found_exception\",\"reason\":\"no such index [gone]\"}}]}";
        assertEquals(java.util.Arrays.asList(new StoredRead("cam-7", "2026-01-01T00:00:00Z", new ReadPlate("AB 12", "AB12")), null, null), stored(answer, reads));
        assertEquals(java.util.Arrays.asList(new StoredRead(null, null, ReadPlate.NONE)),
                stored("{\"docs\":[{\"_id\":\"a\",\"found\":true,\"_source\":{}}]}", reads.subList(0, 1)), "a document without the fields");

        assertThrows(IllegalStateException.class, () -> stored("{\"docs\":[{\"_id\":\"a\",\"error\":{\"type\":\"no_shard_available_action_exception\"}}]}",
                reads.subList(0, 1)), "not knowing is not 'nothing there'");
        assertThrows(IllegalStateException.class, () -> stored("{\"docs\":[{\"_id\":\"b\",\"found\":false}]}", reads.subList(0, 1)), "another id");
        assertThrows(IllegalStateException.class, () -> stored("{\"docs\":[]}", reads.subList(0, 1)));
        assertThrows(IllegalStateException.class, () -> stored("{\"error\":{\"type\":\"x\"},\"status\":500}", reads.subList(0, 1)));
    }

    private static List<StoredRead> stored(String answer, List<PendingRead> reads) throws java.io.IOException {
        return ElasticsearchBulkTransport.toStored(new java.io.ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)), reads);
    }

    private static List<BulkItemResult> results(String answer, int expected) throws java.io.IOException {
        return ElasticsearchBulkTransport.toResults(new java.io.ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)), expected);
    }
}
