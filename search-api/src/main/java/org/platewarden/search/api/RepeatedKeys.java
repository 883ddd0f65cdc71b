package org.platewarden.search.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a key that repeats within one JSON object, at any depth. Jackson, and so Vert.x, keeps the
 * last value of a repeated key: a body stating {@code "purpose"} twice would be searched, and
 * recorded, with only one of them — a caller could state a prohibited purpose and leave a lawful
 * one on the trail. So every body on the search API is refused when a key repeats, as the gateway
 * refuses them, and the record of any request whose body repeats a key keeps the text as sent.
 */
final class RepeatedKeys {
    private static final JsonFactory STRICT = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    // Jackson's wording, matched whole so a field name that itself holds a quote is named in full
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '(.*)'$", Pattern.DOTALL);

    private RepeatedKeys() {
    }

    /**
     * The refusal naming the first repeated key, without Jackson's internals (source, location);
     * null when no key repeats, and when the body is empty or is not JSON before a key repeats —
     * the route's own parser reports that.
     */
    static String find(Buffer body) {
        if (body == null || body.length() == 0) return null;
        try (JsonParser parser = STRICT.createParser(body.getBytes())) {
            while (parser.nextToken() != null) {
                // tokens only: the scan builds no tree, the route parses what it needs
            }
            return null;
        } catch (StreamReadException e) {
            Matcher m = DUPLICATE.matcher(e.getOriginalMessage() == null ? "" : e.getOriginalMessage());
            return m.matches() ? "field '" + m.group(1) + "' appears more than once in one object" : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array source does no I/O
        }
    }
}
