package org.platewarden.indexer;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NByteArrayEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;

/**
 * Bulk transport over Elasticsearch's low-level REST client: each read becomes a {@code create}
 * operation (so a resend of an already indexed read answers 409 instead of overwriting) whose
 * document is the read's index document (the spooled bytes plus the plate's index terms,
 * {@link org.platewarden.core.read.IndexDocument}), copied as is into one NDJSON body.
 *
 * <p>Why not elasticsearch-java's typed {@code bulk} with {@code BinaryData} documents (what this
 * class used before): its transport hands the Apache client one buffer per action line, document
 * and newline, and the client writes one buffer per I/O event, so a 5 000-read bulk left as some
 * 15 000 small chunks. Measured with Elasticsearch on a CPU of its own (docs/benchmarks.md, ninth
 * session), Elasticsearch's network threads spent 6.9 µs per read on those requests and 2.3 µs on
 * one contiguous body with the same bytes. One array copy per read costs far less than that.
 */
public final class ElasticsearchBulkTransport implements BulkTransport {
    /**
     * Only what the per-item verdict reads. A full bulk response repeats _id, _version, _seq_no,
     * _primary_term, result and _shards for every item; parsing that was about a third of the client
     * thread's CPU at 5 000 reads per bulk. {@code error} and {@code status} keep a whole-request
     * error response intact.
     */
    static final String RESPONSE_FILTER = "took,errors,items.*._index,items.*.status,items.*.error,error,status";
    private static final ContentType NDJSON = ContentType.create("application/x-ndjson");
    private static final byte[] CREATE_INDEX = "{\"create\":{\"_index\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "\",\"_id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_ACTION = "\"}}\n".getBytes(StandardCharsets.US_ASCII);

    private final RestClient rest;

    public ElasticsearchBulkTransport(RestClient rest) {
        this.rest = rest;
    }

    @Override
    public CompletableFuture<List<BulkItemResult>> send(List<PendingRead> reads) {
        CompletableFuture<List<BulkItemResult>> result = new CompletableFuture<>();
        Request request = new Request("POST", "/_bulk");
        request.addParameter("filter_path", RESPONSE_FILTER);
        try {
            request.setEntity(body(reads));
        } catch (RuntimeException e) {
            // the contract: a failure is the future's, never the caller's exception
            result.completeExceptionally(e);
            return result;
        }
        rest.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                try (InputStream in = response.getEntity().getContent()) {
                    result.complete(toResults(EsRest.MAPPER.readTree(in), reads.size()));
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }

            @Override
            public void onFailure(Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** The NDJSON body: per read its action line and its document, each ending in a newline. */
    static NByteArrayEntity body(List<PendingRead> reads) {
        int size = 0;
        for (PendingRead r : reads) size += r.document().length + r.index().length() + r.id().length() + 48;
        BodyBuffer out = new BodyBuffer(size);
        JsonStringEncoder quote = JsonStringEncoder.getInstance();
        for (PendingRead r : reads) {
            out.writeBytes(CREATE_INDEX);
            out.writeBytes(quote.quoteAsUTF8(r.index()));
            out.writeBytes(ID);
            out.writeBytes(quote.quoteAsUTF8(r.id()));
            out.writeBytes(END_ACTION);
            out.writeBytes(singleLine(r.document()));
            out.write('\n');
        }
        return out.entity();
    }

    /** The body's bytes go to the request as they are: no second copy of some 6 MB per bulk. */
    private static final class BodyBuffer extends ByteArrayOutputStream {
        BodyBuffer(int size) {
            super(size);
        }

        NByteArrayEntity entity() {
            return new NByteArrayEntity(buf, 0, count, NDJSON);
        }
    }

    static List<BulkItemResult> toResults(JsonNode response, int expected) {
        List<BulkItemResult> out = new ArrayList<>(expected);
        for (JsonNode item : response.path("items")) {
            JsonNode op = item.elements().hasNext() ? item.elements().next() : item;
            JsonNode error = op.path("error");
            if (!op.path("status").isInt()) throw new IllegalStateException("bulk response item without a status: " + item);
            int status = op.path("status").asInt();
            out.add(error.isMissingNode() || error.isNull() ? BulkItemResult.ok(status)
                    : new BulkItemResult(status, RequestFailures.text(error, "type"), RequestFailures.text(error, "reason")));
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
