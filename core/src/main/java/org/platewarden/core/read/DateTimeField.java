package org.platewarden.core.read;

import java.time.DateTimeException;
import java.time.Instant;

/**
 * A date-time field of a request — a search's {@code from} and {@code to}, a hold's {@code from},
 * {@code to} and {@code until} — read with the one grammar a read's {@code captured_at} takes
 * ({@link IsoInstant}; docs/cameras.md, "Capture time"). A window is compared with stored capture
 * times, so it takes exactly the times a read can carry: what the ingest refuses ({@code 38.Z}, an
 * offset with seconds or beyond ±14:00, no offset) is refused here too, not read by a looser parser.
 * The caller maps the IllegalArgumentException to its 400, which names the field and the form.
 */
public final class DateTimeField {
    /** The accepted form, as a refusal states it. */
    public static final String FORM = "an ISO-8601 date-time with a UTC offset as a read's captured_at takes it,"
            + " YYYY-MM-DDThh:mm[:ss[.fff]] then Z or ±hh:mm (at most ±14:00), e.g. 2026-11-20T00:00:00Z";
    /** How much of a refused value the message repeats: the value is copied into the audit record's reason. */
    private static final int SHOWN_CHARS = 64;

    private DateTimeField() {
    }

    /**
     * The instant {@code value} denotes, for the request field {@code field}.
     *
     * @throws IllegalArgumentException naming the field, the form accepted and what is wrong, when
     *                                  {@code value} is not a string of that form
     */
    public static Instant parse(String field, Object value) {
        if (!(value instanceof String text)) throw new IllegalArgumentException(field + " must be a string: " + FORM);
        try {
            return IsoInstant.parse(text);
        } catch (DateTimeException e) {
            String shown = text.length() <= SHOWN_CHARS ? text : text.substring(0, SHOWN_CHARS) + "...";
            throw new IllegalArgumentException(field + " '" + shown + "' is not " + FORM + ": " + e.getMessage());
        }
    }
}
