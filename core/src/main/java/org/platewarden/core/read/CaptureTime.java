package org.platewarden.core.read;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * {@code captured_at} is kept to the millisecond. Elasticsearch's {@code date} type, which the read
 * mapping gives it, indexes milliseconds: a read sent with microseconds (Plate Recognizer sends
 * them) and stored as sent was matched, sorted and filtered by its time cut to the millisecond, but
 * shown with its microseconds, so a search could return it outside the window its answer states
 * ({@code captured_at} {@code …59.999999Z} for a {@code to} of {@code …59.999Z}). The gateway
 * therefore stores the capture time cut to the millisecond ({@link #stored}) — the time the index, the
 * derived read id ({@code <camera_id>:<epoch ms>:…}), the daily index (a day starts on a whole
 * millisecond, so cutting never changes it) and the indexer's resend check already used — and a
 * window is applied at that precision ({@link #windowStart}, {@link #windowEnd}).
 *
 * <p>Why not {@code date_nanos}: it would change the mapping of every new daily index while the 21
 * older ones keep {@code date}, and sorting and {@code search_after} across both (and paging tokens,
 * which carry milliseconds) would need care in every query; no camera's clock is that precise anyway.
 */
public final class CaptureTime {
    private CaptureTime() {
    }

    /** {@code at} cut to the millisecond (towards the past); {@code at} itself when it has no finer digits. */
    public static Instant stored(Instant at) {
        return at.getNano() % 1_000_000 == 0 ? at : at.truncatedTo(ChronoUnit.MILLIS);
    }

    /** The first millisecond at or after {@code from}: a window's lower bound as a range on the indexed milliseconds. */
    public static Instant windowStart(Instant from) {
        Instant cut = stored(from);
        return cut.equals(from) ? from : cut.plusMillis(1);
    }

    /** The last millisecond at or before {@code to}: a window's upper bound as a range on the indexed milliseconds. */
    public static Instant windowEnd(Instant to) {
        return stored(to);
    }

    /**
     * A stored document's {@code captured_at} as a hit shows it: a read stored before the gateway cut
     * capture times to the millisecond keeps finer digits in its document, though it was matched by its
     * milliseconds; it is shown cut the same way, so it stays inside the window it was found in. Anything
     * else (the usual millisecond text, a value that is no time) is returned as it is.
     */
    public static Object shown(Object stored) {
        // "YYYY-MM-DDTHH:MM:SS.fffZ" is 24 characters: only a longer text can hold finer digits
        if (!(stored instanceof String text) || text.length() <= 24) return stored;
        try {
            return IsoInstant.format(stored(IsoInstant.parse(text)));
        } catch (DateTimeException notATime) {
            return stored;
        }
    }
}
