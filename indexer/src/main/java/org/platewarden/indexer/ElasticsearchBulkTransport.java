package org.platewarden.indexer;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Bulk transport over elasticsearch-java's async client: each read becomes a {@code create}
 * operation (so a resend of an already indexed read answers 409 instead of overwriting) whose
 * document is the read's index document (the spooled bytes plus the plate's index terms,
 * {@link org.platewarden.core.read.IndexDocument}) wrapped in {@link BinaryData}, which the client
 * writes to the NDJSON body as is.
 */
public final class ElasticsearchBulkTransport implements BulkTransport {
    /**
     * Only what the per-item verdict reads (plus what the client's response type requires). A full
     * bulk response repeats _id, _version, _seq_no, _primary_term, result and _shards for every
     * item; parsing that was about a third of the client thread's CPU at 5 000 reads per bulk.
     * {@code error} and {@code status} keep a whole-request error response intact.
     */
    static final String RESPONSE_FILTER = "took,errors,items.*._index,items.*.status,items.*.error,error,status";

    private final ElasticsearchAsyncClient client;

    public ElasticsearchBulkTransport(ElasticsearchAsyncClient client) {
        this.client = client.withTransportOptions(o -> o.setParameter("filter_path", RESPONSE_FILTER));
    }

    @Override
    public CompletableFuture<List<BulkItemResult>> send(List<PendingRead> reads) {
        List<BulkOperation> ops = new ArrayList<>(reads.size());
        for (PendingRead r : reads) {
            BinaryData doc = BinaryData.of(singleLine(r.document()), ContentType.APPLICATION_JSON);
            ops.add(BulkOperation.of(b -> b.create(c -> c.index(r.index()).id(r.id()).document(doc))));
        }
        CompletableFuture<BulkResponse> sent;
        try {
            sent = client.bulk(BulkRequest.of(b -> b.operations(ops)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sent.thenApply(response -> toResults(response, reads.size()));
    }

    private static List<BulkItemResult> toResults(BulkResponse response, int expected) {
        List<BulkItemResult> out = new ArrayList<>(expected);
        for (BulkResponseItem item : response.items()) {
            ErrorCause error = item.error();
            out.add(error == null ? BulkItemResult.ok(item.status())
                    : new BulkItemResult(item.status(), error.type(), error.reason()));
        }
        if (out.size() != expected) {
            throw new IllegalStateException("bulk response has " + out.size() + " items for " + expected + " operations");
        }
        return out;
    }

    /**
     * NDJSON ends a document at a newline. Valid JSON can only hold raw CR/LF as whitespace between
     * tokens (inside strings they must be escaped), so replacing them by spaces keeps the document
     * identical in meaning without parsing it again.
     */
    static byte[] singleLine(byte[] json) {
        int i = 0;
        while (i < json.length && json[i] != '\n' && json[i] != '\r') i++;
        if (i == json.length) return json;
        byte[] copy = json.clone();
        for (; i < copy.length; i++) {
            if (copy[i] == '\n' || copy[i] == '\r') copy[i] = ' ';
        }
        return copy;
    }
}
