package org.platewarden.indexer.holds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.platewarden.indexer.EsRest;

/**
 * The small pieces of Elasticsearch requests every hold class builds: a body of one field, a line
 * of a bulk body, a document id in a path. Kept apart so that the classes that make the requests
 * read as the requests they make.
 */
final class EsRequestParts {
    private EsRequestParts() {
    }

    /** {@code {"key": value}} */
    static ObjectNode wrap(String key, JsonNode value) {
        ObjectNode o = EsRest.MAPPER.createObjectNode();
        o.set(key, value);
        return o;
    }

    /** One NDJSON line of a bulk body. */
    static void writeLine(ByteArrayOutputStream out, JsonNode node) {
        try {
            out.write(EsRest.MAPPER.writeValueAsBytes(node));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A document id as a path segment. */
    static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
