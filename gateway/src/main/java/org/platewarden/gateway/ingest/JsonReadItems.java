package org.platewarden.gateway.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.platewarden.core.read.ReadInput;
import org.platewarden.core.read.ReadInputReader;

/**
 * Splits one JSON payload (an HTTP body or an MQTT PUBLISH) into items, streaming: a JSON object
 * is one read, a JSON array holds one read per element. The whole payload is read before any item
 * is validated, so a syntax error anywhere refuses the payload as a whole, as it did when the
 * payload was parsed to a tree first. An object item keeps its byte range so that, if it is
 * refused, its dead letter holds exactly the bytes the camera sent.
 */
public final class JsonReadItems {
    private static final JsonFactory JSON = ReadInputReader.factory();

    /** Why a payload yields no items at all. */
    public enum Problem { EMPTY, NOT_JSON, NOT_OBJECT_OR_ARRAY, TOO_MANY }

    /** The payload as a whole is refused; {@link #getMessage()} is the parser's detail, if any. */
    public static final class MalformedPayloadException extends IllegalArgumentException {
        private final Problem problem;

        MalformedPayloadException(Problem problem, String detail) {
            super(detail);
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }
    }

    private JsonReadItems() {
    }

    /** @param maxItems more items than this refuses the payload ({@link Problem#TOO_MANY}) as soon as it is seen */
    public static List<IngestItem> parse(byte[] json, int maxItems) {
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken root = p.nextToken();
            if (root == null) throw new MalformedPayloadException(Problem.EMPTY, null);
            List<IngestItem> items;
            if (root == JsonToken.START_OBJECT) {
                items = List.of(item(p, json));
            } else if (root == JsonToken.START_ARRAY) {
                items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (items.size() == maxItems) throw new MalformedPayloadException(Problem.TOO_MANY, null);
                    items.add(item(p, json));
                }
            } else {
                p.skipChildren();
                items = null;
            }
            if (p.nextToken() != null) throw new MalformedPayloadException(Problem.NOT_JSON, "trailing content after the JSON value");
            if (items == null) throw new MalformedPayloadException(Problem.NOT_OBJECT_OR_ARRAY, null);
            return items;
        } catch (JsonProcessingException e) {
            throw new MalformedPayloadException(Problem.NOT_JSON, JsonErrorText.of(e));
        } catch (IOException e) {
            throw new MalformedPayloadException(Problem.NOT_JSON, e.getMessage());
        }
    }

    /**
     * One NDJSON line, bytes {@code [from, to)} of the body: any JSON value (a non-object is refused
     * by validation, not here). Parsed from the bytes, so a line that is not UTF-8 is a parse error
     * of that line and its dead letter keeps the bytes as sent.
     *
     * @throws JsonProcessingException the line is not one JSON value; it costs that line only
     */
    public static IngestItem parseLine(byte[] body, int from, int to) throws JsonProcessingException {
        try (JsonParser p = JSON.createParser(body, from, to - from)) {
            if (p.nextToken() == null) throw new JsonParseException(p, "no JSON value");
            ReadInput read = ReadInputReader.read(p);
            if (p.nextToken() != null) throw new JsonParseException(p, "trailing content after the JSON value");
            return IngestItem.parsed(read, () -> Arrays.copyOfRange(body, from, to));
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array source does no I/O
        }
    }

    /** One NDJSON line given as text. */
    public static IngestItem parseLine(String line) throws JsonProcessingException {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return parseLine(bytes, 0, bytes.length);
    }

    private static IngestItem item(JsonParser p, byte[] json) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            // a number, string or array where a read should be: validation refuses it; keep its text
            String text = String.valueOf((Object) p.readValueAsTree());
            return IngestItem.parsed(ReadInput.notAnObject(), () -> text.getBytes(StandardCharsets.UTF_8));
        }
        int from = (int) p.currentTokenLocation().getByteOffset();
        ReadInput read = ReadInputReader.read(p);
        int to = (int) p.currentTokenLocation().getByteOffset() + 1;
        return IngestItem.parsed(read, () -> Arrays.copyOfRange(json, from, to));
    }
}
