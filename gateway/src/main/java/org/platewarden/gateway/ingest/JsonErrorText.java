package org.platewarden.gateway.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/**
 * A JSON parse error in words a camera integrator can act on: Jackson's own description, without
 * what only Jackson's user could act on. Its messages name parser options that are not the camera's
 * to switch on ({@code enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow}, {@code (not
 * recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)}) and put positions as
 * {@code [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1,
 * column: 6]}; the text reaches the 400's message, the MQTT reason string and the dead letter's reason.
 */
public final class JsonErrorText {
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)]");
    private static final Pattern ENABLE_FEATURE = Pattern.compile(": enable `[A-Za-z_.]+` to allow");
    private static final Pattern FEATURE_NOT_ENABLED = Pattern.compile(" \\(not recognized as one since Feature '[A-Za-z_]+' not enabled for parser\\)");

    private JsonErrorText() {
    }

    /** The error's description, without its location suffix (Jackson's original message), cleaned. */
    public static String of(JsonProcessingException e) {
        return clean(e.getOriginalMessage());
    }

    static String clean(String message) {
        if (message == null) return null;
        String text = SOURCE.matcher(message).replaceAll("line $1, column $2");
        text = ENABLE_FEATURE.matcher(text).replaceAll("");
        return FEATURE_NOT_ENABLED.matcher(text).replaceAll("");
    }
}
