package org.platewarden.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.core.read.Rejection;
import org.platewarden.gateway.ingest.IngestItem;
import org.platewarden.gateway.ingest.JsonErrorText;
import org.platewarden.gateway.ingest.JsonReadItems;

/**
 * Splits a {@code POST /v1/reads} body into items: one JSON object, a JSON array of objects, or
 * NDJSON (one object per line). A JSON body that does not parse is a 400 (nothing to salvage); in
 * NDJSON a bad line only refuses that line, so one corrupt line cannot cost the camera a batch.
 * The body size is already bounded by the body limit; the item count is bounded here.
 */
public final class ReadsBodyParser {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private static final java.util.regex.Pattern DUPLICATE = java.util.regex.Pattern.compile("Duplicate field '([^']*)'");

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
        if (ndjson) return parseNdjson(body);
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

    /**
     * One JSON value, for the vendor webhooks, parsed from the bytes (so a body that is not UTF-8 is
     * refused, not read with replacement characters). A field given twice is refused too: the tree
     * would keep the last value and the adapter map whichever the camera did not mean.
     */
    public static JsonNode parseTree(byte[] body) {
        try {
            JsonNode tree = MAPPER.readTree(body);
            if (tree == null || tree.isMissingNode()) throw new HttpProblem(400, "empty body");
            return tree;
        } catch (MismatchedInputException e) {
            // reading a tree meets two mismatches: FAIL_ON_READING_DUP_TREE_KEY's and
            // FAIL_ON_TRAILING_TOKENS' (a second value after the first: invalid JSON, as on /v1/reads)
            if (DUPLICATE.matcher(String.valueOf(e.getOriginalMessage())).find()) {
                throw new HttpProblem(400, Rejection.DUPLICATE_FIELD, duplicateField(e.getOriginalMessage()));
            }
            throw new HttpProblem(400, "body is not valid JSON: " + JsonErrorText.of(e));
        } catch (JsonProcessingException e) {
            throw new HttpProblem(400, "body is not valid JSON: " + JsonErrorText.of(e));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array source does no I/O
        }
    }

    /**
     * NDJSON split on the body's bytes ({@code \n}, an optional {@code \r} before it), each line
     * parsed from its own byte range: no String copy of the body, and a line that is not UTF-8 is
     * refused alone with its bytes kept. A line of JSON whitespace only is skipped.
     */
    private List<IngestItem> parseNdjson(byte[] body) {
        String wide = wideEncoding(body);
        if (wide != null) {
            // its lines cannot be split on the byte \n: the first would be read and every other refused
            // as garbage (a NUL, a half character), so the body is refused whole, as one that is not JSON
            throw new HttpProblem(400, "NDJSON must be UTF-8, and this body is " + wide
                    + ": send it as UTF-8, or as one JSON array (application/json), which may be " + wide);
        }
        List<IngestItem> items = new ArrayList<>();
        int from = 0;
        while (from < body.length) {
            int nl = indexOf(body, (byte) '\n', from);
            int end = nl < 0 ? body.length : nl;
            int to = end > from && body[end - 1] == '\r' ? end - 1 : end;
            if (!blank(body, from, to)) {
                if (items.size() == maxItems) throw tooMany();
                try {
                    items.add(JsonReadItems.parseLine(body, from, to));
                } catch (JsonProcessingException e) {
                    items.add(IngestItem.unparseable(body, from, to, "line is not valid JSON: " + JsonErrorText.of(e)));
                }
            }
            from = end + 1;
        }
        if (items.isEmpty()) throw new HttpProblem(400, "empty body");
        return items;
    }

    /**
     * The UTF-16 or UTF-32 a body is in, told from its first bytes as JSON parsers do (a byte-order
     * mark, or the zero bytes around its first character, which is ASCII in JSON); null for UTF-8.
     */
    static String wideEncoding(byte[] body) {
        int b0 = body.length > 0 ? body[0] & 0xff : -1;
        int b1 = body.length > 1 ? body[1] & 0xff : -1;
        int b2 = body.length > 2 ? body[2] & 0xff : -1;
        int b3 = body.length > 3 ? body[3] & 0xff : -1;
        if (b0 == 0 && b1 == 0) return "UTF-32BE";
        if (b0 == 0xFF && b1 == 0xFE && b2 == 0 && b3 == 0) return "UTF-32LE";
        if (b0 != 0 && b1 == 0 && b2 == 0 && b3 == 0) return "UTF-32LE";
        if (b0 == 0xFE && b1 == 0xFF || b0 == 0 && b1 > 0) return "UTF-16BE";
        if (b0 == 0xFF && b1 == 0xFE || b0 > 0 && b1 == 0) return "UTF-16LE";
        return null;
    }

    /** Jackson's message names the field and then the feature that refused it: only the field is the camera's business. */
    static String duplicateField(String jacksonMessage) {
        java.util.regex.Matcher m = DUPLICATE.matcher(jacksonMessage == null ? "" : jacksonMessage);
        return m.find() ? "field '" + m.group(1) + "' appears more than once in one object" : "a field appears more than once in one object";
    }

    private static int indexOf(byte[] b, byte value, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == value) return i;
        }
        return -1;
    }

    private static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') return false;
        }
        return true;
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
        return new HttpProblem(413, Rejection.TOO_LARGE, "more than " + maxItems + " reads in one request");
    }
}
