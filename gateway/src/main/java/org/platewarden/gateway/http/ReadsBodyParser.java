package org.platewarden.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.gateway.ingest.IngestItem;
import org.platewarden.gateway.ingest.JsonReadItems;

/**
 * Splits a {@code POST /v1/reads} body into items: one JSON object, a JSON array of objects, or
 * NDJSON (one object per line). A JSON body that does not parse is a 400 (nothing to salvage); in
 * NDJSON a bad line only refuses that line, so one corrupt line cannot cost the camera a batch.
 * The body size is already bounded by the body limit; the item count is bounded here.
 */
public final class ReadsBodyParser {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final int maxItems;

    public ReadsBodyParser(int maxItems) {
        this.maxItems = maxItems;
    }

    public static boolean isNdjson(String contentType) {
        if (contentType == null) return false;
        String ct = contentType.toLowerCase(java.util.Locale.ROOT);
        return ct.startsWith("application/x-ndjson") || ct.startsWith("application/ndjson") || ct.startsWith("application/jsonl");
    }

    /**
     * The hot path: a JSON object or array is read straight from the request bytes, item by item,
     * with Jackson's streaming parser (no tree, no String copy of a multi-megabyte body). NDJSON
     * goes line by line.
     */
    public List<IngestItem> parse(byte[] body, boolean ndjson) {
        if (ndjson) return parseNdjson(new String(body, StandardCharsets.UTF_8));
        try {
            return JsonReadItems.parse(body, maxItems);
        } catch (JsonReadItems.MalformedPayloadException e) {
            throw switch (e.problem()) {
                case EMPTY -> new HttpProblem(400, "empty body");
                case NOT_JSON -> new HttpProblem(400, "body is not valid JSON: " + e.getMessage());
                case NOT_OBJECT_OR_ARRAY -> new HttpProblem(400, "body must be a JSON object, a JSON array or NDJSON");
                case TOO_MANY -> tooMany();
            };
        }
    }

    /** One JSON value, for the vendor webhooks. */
    public static JsonNode parseTree(String body) {
        if (body == null || body.isBlank()) throw new HttpProblem(400, "empty body");
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new HttpProblem(400, "body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private List<IngestItem> parseNdjson(String body) {
        List<IngestItem> items = new ArrayList<>();
        for (String line : body.split("\r?\n")) {
            if (line.isBlank()) continue;
            if (items.size() == maxItems) throw tooMany();
            try {
                items.add(JsonReadItems.parseLine(line));
            } catch (JsonProcessingException e) {
                items.add(IngestItem.unparseable(line, "line is not valid JSON: " + e.getOriginalMessage()));
            }
        }
        if (items.isEmpty()) throw new HttpProblem(400, "empty body");
        return items;
    }

    /**
     * The request's items, or 413 when there are more than {@code max_reads_per_request}: a vendor
     * webhook maps one payload to any number of reads, which the limit bounds like a native batch.
     */
    List<IngestItem> atMostMax(List<IngestItem> items) {
        if (items.size() > maxItems) throw tooMany();
        return items;
    }

    private HttpProblem tooMany() {
        return new HttpProblem(413, "more than " + maxItems + " reads in one request");
    }
}
