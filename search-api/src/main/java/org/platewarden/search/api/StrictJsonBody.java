package org.platewarden.search.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses, before its route reads it, a body that is not strict JSON or that repeats a key within
 * one object, at any depth.
 *
 * <p>A repeated key: Jackson, and so Vert.x, keeps the last value — a body stating {@code "purpose"}
 * twice would be searched, and recorded, with only one of them, so a caller could state a prohibited
 * purpose and leave a lawful one on the trail. Not strict JSON: Vert.x's parser also takes comments
 * ({@code /* … *}{@code /}, {@code //}), which a scan that does not would give up on before a key
 * repeats — a comment in front of two purposes hid the second; and a body nested deeper than
 * Jackson's limit (1 000) must be a 400 like any unparseable body, not a failure of the scan (it
 * was a 500 whose record could not be written either). The gateway reads camera bodies as strictly.
 * The record of any request whose body is refused here keeps the text as sent.
 */
final class StrictJsonBody {
    private static final JsonFactory STRICT = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    // Jackson's wording, matched whole so a field name that itself holds a quote is named in full
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '(.*)'$", Pattern.DOTALL);
    static final String NOT_JSON = "request body is not valid JSON";

    /** Why a body is refused; {@code unparseable} when it is not JSON at all (its record keeps the text). */
    record Refusal(String message, boolean unparseable) {
    }

    private StrictJsonBody() {
    }

    /**
     * The refusal naming the first repeated key, or saying the body is not strict JSON, without
     * Jackson's internals (source, location); null for an empty body (the route says whether it
     * needs one) and for a body of strict JSON without a repeated key.
     */
    static Refusal refusal(Buffer body) {
        if (body == null || body.length() == 0) return null;
        try (JsonParser parser = STRICT.createParser(body.getBytes())) {
            while (parser.nextToken() != null) {
                // tokens only: the scan builds no tree, the route parses what it needs
            }
            return null;
        } catch (StreamConstraintsException e) {
            return new Refusal(NOT_JSON + ": it is nested deeper, or holds a longer number or string, than a JSON parser takes", true);
        } catch (JsonProcessingException e) {
            Matcher m = DUPLICATE.matcher(e.getOriginalMessage() == null ? "" : e.getOriginalMessage());
            if (m.matches()) return new Refusal("field '" + m.group(1) + "' appears more than once in one object", false);
            return new Refusal(NOT_JSON, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array source does no I/O
        }
    }
}
