package org.platewarden.core.read;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * Parses {@code captured_at} and writes the stored documents' times.
 *
 * <p>Parsing {@code captured_at}: exactly this grammar, no more (docs/cameras.md, "Capture time"),
 * the ISO-8601 extended date-time with a UTC offset, plus RFC 3339's space for the {@code T} and the
 * colon-less offset several camera firmwares write:
 * <pre>
 *   date-time = YYYY "-" MM "-" DD sep hh ":" mm [ ":" ss [ frac ] ] offset
 *   sep       = "T" / "t" / " "
 *   frac      = ( "." / "," ) 1*9DIGIT          ; ISO-8601 allows the comma
 *   offset    = "Z" / "z" / ( "+" / "-" ) hh [ [ ":" ] mm ]   ; at most 14:00 either way
 * </pre>
 * with a real date (no 30 February), hours 00-23, minutes and seconds 00-59 (no leap second).
 * Refused, though java.time's {@code ISO_OFFSET_DATE_TIME} takes them: a decimal point with no digit
 * after it ({@code 07.Z}), an offset with seconds ({@code +00:00:00}) and one beyond ±14:00, which no
 * zone uses ({@code +15:00}; java.time goes to ±18:00). A local time without an offset, a zone name
 * ({@code UTC}) and a one-digit field are refused too.
 *
 * <p>Every ingested read carries one, and java.time's general parser cost about a tenth of a read's
 * validation, so the usual shape ({@code YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)}) is read by
 * {@link #fastPath} without allocating; anything else (another shape, or anything invalid) goes to
 * {@link #general}, which reads the whole grammar and says what is wrong. Both are hand-written, so
 * the accepted set is this grammar, not a formatter's options. The indexer reads the stored
 * documents' times ({@link #format}'s) with it too.
 *
 * <p>{@link #format} writes exactly what {@link Instant#toString()} writes; it exists because the
 * accept path writes two times per read, and java.time's formatter and its garbage showed up in
 * validation's profile.
 */
public final class IsoInstant {
    private static final long MIN_FAST_EPOCH_DAY = LocalDate.of(0, 1, 1).toEpochDay();
    private static final long MAX_FAST_EPOCH_DAY = LocalDate.of(9999, 12, 31).toEpochDay();

    /**
     * The easternmost UTC offset in use (Kiribati's Line Islands, UTC+14:00): a local date-time
     * denotes no instant earlier than itself read at this offset. No zone is further from UTC either
     * way (the westernmost is -12:00), so an offset beyond ±14:00 is refused as no real time.
     */
    public static final Duration EASTERNMOST_OFFSET = Duration.ofHours(14);
    private static final int MAX_OFFSET_MINUTES = 14 * 60;

    private IsoInstant() {
    }

    /** @throws DateTimeException, its message saying what is wrong, when the text is not a date-time of the grammar above */
    public static Instant parse(String s) {
        Instant fast = fastPath(s);
        return fast != null ? fast : general(s, false);
    }

    /**
     * The earliest instant {@code s} can denote, for retention: {@link #parse}'s instant when it has an
     * offset; for a local date-time without one (which {@link #parse} refuses, and the gateway with it)
     * that local time read at UTC+14:00, i.e. local time - 14 h, since the camera's zone is unknown and
     * dating it any later could keep its plate past the window; null when it is no date-time at all.
     */
    public static Instant earliest(String s) {
        if (s == null) return null;
        Instant fast = fastPath(s);
        if (fast != null) return fast;
        try {
            return general(s, true);
        } catch (DateTimeException notADateTime) {
            return null;
        }
    }

    /**
     * The usual shape, {@code YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)}, valid; null for anything else
     * (then {@link #general} decides). Never accepts what {@link #general} refuses (a test checks it).
     */
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
            while (i < n && isDigit(s.charAt(i))) i++;
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
            if (oh < 0 || om < 0 || om > 59 || oh * 60 + om > MAX_OFFSET_MINUTES) return null;
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
     * The whole grammar (see the class comment), for every text {@link #fastPath} does not take.
     *
     * @param localAtEasternmost read a date-time without an offset at UTC+14:00 ({@link #earliest})
     *                           instead of refusing it
     * @throws DateTimeException saying what is wrong
     */
    static Instant general(String s, boolean localAtEasternmost) {
        int n = s.length();
        int year = n >= 10 ? digits(s, 0, 4) : -1;
        int month = n >= 10 ? digits(s, 5, 2) : -1;
        int day = n >= 10 ? digits(s, 8, 2) : -1;
        if (year < 0 || month < 0 || day < 0 || s.charAt(4) != '-' || s.charAt(7) != '-') {
            throw invalid("it does not start with a date YYYY-MM-DD");
        }
        if (month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))) {
            throw invalid("there is no date " + s.substring(0, 10));
        }
        if (n == 10) throw invalid("it has no time after the date");
        char sep = s.charAt(10);
        if (sep != 'T' && sep != 't' && sep != ' ') throw invalid("the date and the time must be separated by 'T' (or a space)");
        int hour = n >= 16 ? digits(s, 11, 2) : -1;
        int minute = n >= 16 ? digits(s, 14, 2) : -1;
        if (hour < 0 || minute < 0 || s.charAt(13) != ':') throw invalid("the time must be hh:mm or hh:mm:ss, two digits each");
        int i = 16;
        int second = 0;
        int nanos = 0;
        if (i < n && s.charAt(i) == ':') {
            second = i + 3 <= n ? digits(s, i + 1, 2) : -1;
            if (second < 0) throw invalid("the seconds must be two digits");
            i += 3;
            if (i < n && (s.charAt(i) == '.' || s.charAt(i) == ',')) {
                int start = ++i;
                while (i < n && isDigit(s.charAt(i))) i++;
                int count = i - start;
                if (count < 1) throw invalid("a decimal sign must be followed by at least one digit");
                if (count > 9) throw invalid("a fraction of a second has at most 9 digits");
                nanos = digits(s, start, count);
                for (int k = count; k < 9; k++) nanos *= 10;
            }
        }
        if (hour > 23 || minute > 59 || second > 59) throw invalid("the time is out of range (00:00:00 to 23:59:59; no leap second)");
        int offsetSeconds;
        if (i == n) {
            if (!localAtEasternmost) throw invalid("it has no UTC offset (Z or ±hh:mm)");
            offsetSeconds = (int) EASTERNMOST_OFFSET.toSeconds();
        } else {
            char c = s.charAt(i);
            if (c == 'Z' || c == 'z') {
                offsetSeconds = 0;
                i++;
            } else if (c == '+' || c == '-') {
                int oh = i + 3 <= n ? digits(s, i + 1, 2) : -1;
                int j = i + 3;
                int om = 0;
                if (oh >= 0 && j < n && s.charAt(j) == ':') {
                    om = j + 3 <= n ? digits(s, j + 1, 2) : -1;
                    j += 3;
                } else if (oh >= 0 && j < n && isDigit(s.charAt(j))) {
                    om = j + 2 <= n ? digits(s, j, 2) : -1;
                    j += 2;
                }
                if (oh < 0 || om < 0 || om > 59) throw invalid("the offset must be Z, ±hh:mm, ±hhmm or ±hh");
                if (j < n && s.charAt(j) == ':') throw invalid("an offset has no seconds");
                if (oh * 60 + om > MAX_OFFSET_MINUTES) throw invalid("the offset " + s.substring(i, j) + " is beyond ±14:00, which no zone uses");
                offsetSeconds = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
                i = j;
            } else {
                throw invalid("the time must be followed by a UTC offset, Z or ±hh:mm (a zone name such as UTC is not one)");
            }
            if (i < n) throw invalid("there is more after the offset");
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        long epochSecond = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    private static DateTimeException invalid(String why) {
        return new DateTimeException(why);
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

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
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
