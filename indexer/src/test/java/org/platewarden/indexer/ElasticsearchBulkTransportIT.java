package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.platewarden.core.index.DailyIndex;

/**
 * One bulk against real Elasticsearch: ids needing JSON escaping, a resend, and a document it refuses;
 * then the lookup that follows a 409.
 */
class ElasticsearchBulkTransportIT {

    @Test
    void indexesExactIdsAnswersAResendWith409AndRefusesABadDocumentAlone() throws Exception {
        try (EsTestSupport es = new EsTestSupport("bulktransport")) {
            Instant at = Instant.parse("2026-01-05T10:00:00Z");
            String index = DailyIndex.name(es.prefix, at);
            String oddId = "cam-001:\"q\"\\x:\u00e9 y"; // a quote, a backslash, non-ASCII and a space
            byte[] good = TestReads.json("ID", "cam-001", "DPD", at, "ODD1")
                    .replace("\"ID\"", "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(oddId)) + "\"")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] plain = TestReads.bytes("cam-001:plain", "cam-001", "DPD", at, "PLN1");
            // captured_at is a date: Elasticsearch refuses this one document, not the request
            byte[] bad = new String(plain, StandardCharsets.UTF_8).replace("2026-01-05T10:00:00Z", "not a date")
                    .replace("cam-001:plain", "cam-001:bad").getBytes(StandardCharsets.UTF_8);
            ElasticsearchBulkTransport transport = new ElasticsearchBulkTransport(es.conn.rest());

            List<BulkItemResult> first = transport.send(List.of(pending(1, index, oddId, good), pending(2, index, "cam-001:plain", plain)))
                    .get(30, TimeUnit.SECONDS);
            assertEquals(List.of(ItemVerdict.INDEXED, ItemVerdict.INDEXED), first.stream().map(ItemVerdict::of).toList());

            List<BulkItemResult> second = transport.send(List.of(pending(1, index, oddId, good), pending(3, index, "cam-001:bad", bad)))
                    .get(30, TimeUnit.SECONDS);
            assertEquals(ItemVerdict.ALREADY_INDEXED, ItemVerdict.of(second.get(0)), "a resend is a 409, not an overwrite");
            assertEquals(ItemVerdict.DEAD_LETTER, ItemVerdict.of(second.get(1)));
            assertEquals(400, second.get(1).status());
            assertEquals("document_parsing_exception", second.get(1).errorType(), second.get(1).toString());

            es.refresh(index);
            JsonNode doc = es.es.call("GET", "/" + index + "/_doc/" + java.net.URLEncoder.encode(oddId, StandardCharsets.UTF_8)
                    .replace("+", "%20"), null);
            assertEquals(oddId, doc.path("_id").asText());
            assertEquals(oddId, doc.path("_source").path("read_id").asText());
            assertEquals(2, es.count(index));

            // what follows a 409: one _mget, in order, null for an id with nothing under it or whose index is gone
            String noIndex = DailyIndex.name(es.prefix, at.minus(java.time.Duration.ofDays(3)));
            List<StoredRead> stored = transport.stored(List.of(pending(1, index, oddId, good), pending(4, index, "cam-001:none", plain),
                    pending(5, noIndex, "cam-001:plain", plain), pending(2, index, "cam-001:plain", plain))).get(30, TimeUnit.SECONDS);
            assertEquals(java.util.Arrays.asList(new StoredRead("cam-001", "2026-01-05T10:00:00Z", new ReadPlate("ODD1", "ODD1")), null, null,
                    new StoredRead("cam-001", "2026-01-05T10:00:00Z", new ReadPlate("PLN1", "PLN1"))), stored);
        }
    }

    private static PendingRead pending(long seq, String index, String id, byte[] json) {
        return new PendingRead(seq, index, id, "cam-001", Instant.parse("2026-01-05T10:00:00Z"), json, null, false, 0);
    }
}
