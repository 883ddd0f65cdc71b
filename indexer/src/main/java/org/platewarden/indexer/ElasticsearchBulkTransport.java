package org.platewarden.indexer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.read.IndexDocument;
import org.platewarden.core.read.JsonAscii;
import org.platewarden.core.read.ReadFields;

/**
 * Bulk transport over Elasticsearch's low-level REST client: each read becomes a {@code create}
 * operation (so a resend of an already indexed read answers 409 instead of overwriting) whose
 * document is the read's index document (the spooled bytes plus the plate's index terms,
 * {@link org.platewarden.core.read.IndexDocument}), written straight into one NDJSON body.
 *
 * <p>Why not elasticsearch-java's typed {@code bulk} with {@code BinaryData} documents (what this
 * class used before): its transport hands the Apache client one buffer per action line, document
 * and newline, and the client writes one buffer per I/O event, so a 5 000-read bulk left as some
 * 15 000 small chunks. Measured with Elasticsearch on a CPU of its own (docs/benchmark-history.md, ninth
 * session), Elasticsearch's network threads spent 6.9 µs per read on those requests and 2.3 µs on
 * one contiguous body with the same bytes. One array copy per read costs far less than that.
 * The body is held in quarter-megabyte chunks ({@link NdjsonBody}), not one array.
 *
 * <p>After a 409, {@link #stored} asks what is under those ids with one {@code _mget}
 * ({@link ReadIdConflicts}).
 */
public final class ElasticsearchBulkTransport implements BulkTransport {
    /**
     * Only what the per-item verdict reads. A full bulk response repeats _id, _version, _seq_no,
     * _primary_term, result and _shards for every item; parsing that was about a third of the client
     * thread's CPU at 5 000 reads per bulk. {@code error} and {@code status} keep a whole-request
     * error response intact. No {@code _index} (the typed client needed it to parse an item): it more
     * than doubled the answer, to over 256 KB for 5 000 reads, and the client's response buffer then
     * grew into a G1 humongous allocation — a concurrent marking cycle per bulk (JFR, tenth session).
     */
    public static final String RESPONSE_FILTER = "took,errors,items.*.status,items.*.error,error,status";
    /** What {@link #toStored} reads of an {@code _mget} answer. */
    static final String MGET_FILTER = "docs._id,docs.found,docs._source,docs.error.type,docs.error.reason";
    private static final byte[] CREATE_INDEX = "{\"create\":{\"_index\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "\",\"_id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_ACTION = "\"}}\n".getBytes(StandardCharsets.US_ASCII);
    /** the plate's index terms a document gets on its way out (~55 short strings), for sizing the body */
    static final int PLATE_TERMS_ESTIMATE = 640;

    private final RestClient rest;

    public ElasticsearchBulkTransport(RestClient rest) {
        this.rest = rest;
    }

    @Override
    public CompletableFuture<List<BulkItemResult>> send(List<PendingRead> reads) {
        Request request = new Request("POST", "/_bulk");
        request.addParameter("filter_path", RESPONSE_FILTER);
        try {
            request.setEntity(body(reads));
        } catch (RuntimeException e) {
            // the contract: a failure is the future's, never the caller's exception
            return CompletableFuture.failedFuture(e);
        }
        return perform(request, in -> toResults(in, reads.size()));
    }

    /**
     * One {@code _mget} for every read, each in its daily index, {@code _source} cut to the fields
     * the comparison needs (camera, capture time, plate). Realtime (the default): it sees a document
     * created moments ago and not yet refreshed, such as the first of two reads with one id in the
     * same bulk.
     */
    @Override
    public CompletableFuture<List<StoredRead>> stored(List<PendingRead> reads) {
        Request request = new Request("POST", "/_mget");
        request.addParameter("filter_path", MGET_FILTER);
        ObjectNode body = EsRest.MAPPER.createObjectNode();
        ArrayNode docs = body.putArray("docs");
        for (PendingRead r : reads) {
            ObjectNode doc = docs.addObject().put("_index", r.index()).put("_id", r.id());
            doc.putArray("_source").add(ReadFields.CAMERA_ID).add(ReadFields.CAPTURED_AT).add(ReadFields.PLATE).add(ReadFields.PLATE_NORM);
        }
        request.setJsonEntity(body.toString());
        return perform(request, in -> toStored(in, reads));
    }

    /** Reads a successful answer's body on the client's I/O thread. */
    private interface AnswerReader<T> {
        T read(InputStream body) throws IOException;
    }

    /** Sends asynchronously; any failure (no answer, an error status, an unreadable answer) fails the future. */
    private <T> CompletableFuture<T> perform(Request request, AnswerReader<T> reader) {
        CompletableFuture<T> result = new CompletableFuture<>();
        rest.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                try (InputStream in = response.getEntity().getContent()) {
                    result.complete(reader.read(in));
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

    /**
     * The {@code _mget} answer in request order: a found document's fields, null for one not found
     * or whose index no longer exists (retention deleted it meanwhile).
     *
     * @throws IllegalStateException for any other per-document error (a shard unavailable): then
     *                               nothing is decided and the reads are retried
     */
    static List<StoredRead> toStored(InputStream response, List<PendingRead> reads) throws IOException {
        JsonNode docs = EsRest.MAPPER.readTree(response).path("docs");
        if (!docs.isArray() || docs.size() != reads.size()) {
            throw new IllegalStateException("_mget response has " + docs.size() + " docs for " + reads.size() + " ids");
        }
        List<StoredRead> out = new ArrayList<>(reads.size());
        for (int i = 0; i < reads.size(); i++) {
            JsonNode doc = docs.get(i);
            PendingRead read = reads.get(i);
            if (!read.id().equals(doc.path("_id").asText(null))) {
                throw new IllegalStateException("_mget response doc " + i + " is not '" + read.id() + "'");
            }
            JsonNode error = doc.path("error");
            if (!error.isMissingNode()) {
                String type = RequestFailures.text(error, "type");
                if ("index_not_found_exception".equals(type)) {
                    out.add(null);
                    continue;
                }
                throw new IllegalStateException("_mget of '" + read.id() + "' in " + read.index() + " failed: " + type
                        + " " + RequestFailures.text(error, "reason"));
            }
            JsonNode source = doc.path("_source");
            out.add(doc.path("found").asBoolean(false)
                    ? new StoredRead(RequestFailures.text(source, ReadFields.CAMERA_ID), RequestFailures.text(source, ReadFields.CAPTURED_AT),
                            ReadPlate.of(source))
                    : null);
        }
        return out;
    }

    /** The NDJSON body: per read its action line and its document, each ending in a newline. */
    static NdjsonBody body(List<PendingRead> reads) {
        long size = 0;
        for (PendingRead r : reads) {
            size += r.json().length + r.index().length() + r.id().length() + 48 + (r.plateOcr() == null ? 0 : PLATE_TERMS_ESTIMATE);
        }
        NdjsonBody out = new NdjsonBody(size);
        for (PendingRead r : reads) {
            out.write(CREATE_INDEX);
            writeJsonString(out, r.index());
            out.write(ID);
            writeJsonString(out, r.id());
            out.write(END_ACTION);
            byte[] json = r.singleLine() ? r.json() : singleLine(r.json());
            if (r.plateOcr() == null) {
                out.write(json);
            } else {
                IndexDocument.writeWithTerms(json, r.plateOcr(), out);
            }
            out.write('\n');
        }
        return out.finished();
    }

    /**
     * A JSON string's content: printable ASCII without quote or backslash (every index name, and read
     * ids as cameras send them) byte by byte; anything else escaped by Jackson.
     */
    private static void writeJsonString(NdjsonBody out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!JsonAscii.plain(c)) {
                out.write(JsonStringEncoder.getInstance().quoteAsUTF8(s));
                return;
            }
        }
        out.writeAscii(s);
    }

    /**
     * Per-item results in request order, read with the streaming parser: a tree of a 5 000-item answer
     * was ~2 MB of short-lived objects per bulk on the client's I/O thread. Only an item's
     * {@code error} (rare) becomes a tree, for its type and reason.
     *
     * @throws IllegalStateException when the answer does not give a status for exactly every operation
     */
    static List<BulkItemResult> toResults(InputStream response, int expected) throws IOException {
        List<BulkItemResult> out = new ArrayList<>(expected);
        try (JsonParser p = EsRest.MAPPER.createParser(response)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalStateException("bulk response is not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() != JsonToken.END_ARRAY) out.add(item(p));
                } else {
                    p.skipChildren();
                }
            }
        }
        if (out.size() != expected) {
            throw new IllegalStateException("bulk response has " + out.size() + " items for " + expected + " operations");
        }
        return out;
    }

    /** One element of {@code items}: {@code {"create":{"status":…,"error":{…}}}}, the parser on its start. */
    private static BulkItemResult item(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME || p.nextToken() != JsonToken.START_OBJECT) {
            throw new IllegalStateException("bulk response item is not {\"<operation>\":{...}}");
        }
        Integer status = null;
        JsonNode error = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("status") && value == JsonToken.VALUE_NUMBER_INT) {
                status = p.getIntValue();
            } else if (field.equals("error")) {
                error = p.readValueAsTree();
            } else {
                p.skipChildren();
            }
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) { // anything after the operation's object
            p.nextToken();
            p.skipChildren();
        }
        if (status == null) throw new IllegalStateException("bulk response item without a status");
        return error == null || error.isNull() ? BulkItemResult.ok(status)
                : new BulkItemResult(status, RequestFailures.text(error, "type"), RequestFailures.text(error, "reason"));
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
