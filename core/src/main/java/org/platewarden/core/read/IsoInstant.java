package org.platewarden.core.read;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;

/**
 * Parses {@code captured_at} and writes the stored documents' times.
 *
 * <p>Parsing {@code captured_at}: ISO-8601 date-time with a zone offset (also with a space for the
 * {@code T}, or an offset without its colon, as some cameras write them). Every ingested read carries
 * one, and java.time's general parser costs about a tenth of a read's validation, so the usual
 * shape ({@code YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)}) is read by hand; anything else goes to
 * {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME}, which also decides what is invalid. The indexer
 * reads the stored documents' times with it too.
 *
 * <p>{@link #format} writes exactly what {@link Instant#toString()} writes; it exists because the
 * accept path writes two times per read, and java.time's formatter and its garbage showed up in
 * validation's profile.
 */
public final class IsoInstant {
    private static final long MIN_FAST_EPOCH_DAY = LocalDate.of(0, 1, 1).toEpochDay();
    private static final long MAX_FAST_EPOCH_DAY = LocalDate.of(9999, 12, 31).toEpochDay();

    private IsoInstant() {
    }

    /**
     * What cameras also send besides strict ISO-8601: a space for the {@code T} (RFC 3339 allows it)
     * and an offset without its colon ({@code +0000}, {@code -0500}), which several camera firmwares
     * write. Still a full date, a time and an offset: a local time without one stays refused.
     */
    private static final DateTimeFormatter CAMERA_STYLE = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendPattern("[ ]['T']")
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter()
            // as ISO_OFFSET_DATE_TIME: 30 February is an error, not 2 March
            .withResolverStyle(java.time.format.ResolverStyle.STRICT)
            .withChronology(java.time.chrono.IsoChronology.INSTANCE);

    /** @throws DateTimeException when the text is not an ISO-8601 (or RFC 3339) date-time with an offset */
    public static Instant parse(String s) {
        Instant fast = fastPath(s);
        if (fast != null) return fast;
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException strict) {
            // the formatter's optional separators would also take none at all
            if (s.length() <= 10 || " Tt".indexOf(s.charAt(10)) < 0) throw strict;
            try {
                return OffsetDateTime.parse(s, CAMERA_STYLE).toInstant();
            } catch (DateTimeException alsoNot) {
                throw strict;
            }
        }
    }

    /**
     * The easternmost UTC offset in use (Kiribati's Line Islands, UTC+14:00): a local date-time
     * denotes no instant earlier than itself read at this offset.
     */
    public static final Duration EASTERNMOST_OFFSET = Duration.ofHours(14);

    /**
     * The earliest instant {@code s} can denote, for retention: {@link #parse}'s instant when it has an
     * offset; for a local date-time without one (which {@link #parse} refuses, and the gateway with it)
     * that local time read at UTC+14:00, i.e. local time - 14 h, since the camera's zone is unknown and
     * dating it any later could keep its plate past the window; null when it is no date-time at all.
     */
    public static Instant earliest(String s) {
        try {
            return parse(s);
        } catch (DateTimeException withOffset) {
            if (s.length() <= 10 || " Tt".indexOf(s.charAt(10)) < 0) return null;
            try {
                LocalDateTime local = LocalDateTime.parse(s.substring(0, 10) + 'T' + s.substring(11), DateTimeFormatter.ISO_LOCAL_DATE_TIME);
                return local.toInstant(ZoneOffset.UTC).minus(EASTERNMOST_OFFSET);
            } catch (DateTimeException notLocalEither) {
                return null;
            }
        }
    }

    private static Instant fastPath(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && Character.isDigit(s.charAt(i))) i++;
            int count = i - start;
            if (count < 1 || count > 9) return null;
            nanos = digits(s, start, count);
            for (int k = count; k < 9; k++) nanos *= 10;
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
            if (oh < 0 || oh > 18 || om < 0 || om > 59) return null;
            offsetSeconds = (oh * 3600 + om * 60) * (s.charAt(i) == '-' ? -1 : 1);
        } else {
            return null;
        }
        if (day > LocalDate.of(year, month, 1).lengthOfMonth()) return null;
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        long epochSecond = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /**
     * {@link Instant#toString()}'s text ({@code YYYY-MM-DDTHH:MM:SS[.fff[fff[fff]]]Z}: the fraction in
     * groups of three digits, none when zero) for years 0000-9999; other years go to {@code toString}.
     */
    public static String format(Instant at) {
        long epochSecond = at.getEpochSecond();
        long epochDay = Math.floorDiv(epochSecond, 86_400);
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400);
        if (epochDay < MIN_FAST_EPOCH_DAY || epochDay > MAX_FAST_EPOCH_DAY) return at.toString();
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        int nanos = at.getNano();
        int fractionDigits = nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
        char[] out = new char[20 + (fractionDigits == 0 ? 0 : 1 + fractionDigits)];
        put(out, 0, date.getYear(), 4);
        out[4] = '-';
        put(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        put(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        put(out, 11, secondOfDay / 3600, 2);
        out[13] = ':';
        put(out, 14, secondOfDay / 60 % 60, 2);
        out[16] = ':';
        put(out, 17, secondOfDay % 60, 2);
        int i = 19;
        if (fractionDigits > 0) {
            out[i++] = '.';
            int fraction = fractionDigits == 3 ? nanos / 1_000_000 : fractionDigits == 6 ? nanos / 1_000 : nanos;
            put(out, i, fraction, fractionDigits);
            i += fractionDigits;
        }
        out[i] = 'Z';
        return new String(out);
    }

    /** Writes {@code value} as exactly {@code width} decimal digits, zero-padded, at {@code out[from]}. */
    private static void put(char[] out, int from, int value, int width) {
        for (int i = from + width - 1; i >= from; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** The non-negative number in {@code s[from, from+count)}, or -1 when a character is not a digit. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
