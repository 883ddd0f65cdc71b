package org.platewarden.core.index;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Daily read indices {@code <prefix>-reads-YYYY.MM.DD}, by UTC capture day, and the retention rule
 * shared by the gateway (reject a read whose day has already expired), the ILM policy and the
 * sweeper: an index expires {@code retentionDays} days after the start of its own day.
 */
public final class DailyIndex {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd");

    private DailyIndex() {
    }

    public static String pattern(String prefix) {
        return prefix + "-reads-*";
    }

    /**
     * The registry of the days that hold reads ({@code <prefix>-days}, one document per day, id
     * {@code YYYY-MM-DD}): outside {@link #pattern}, so retention never deletes it with the reads.
     */
    public static String registry(String prefix) {
        return prefix + "-days";
    }

    public static String name(String prefix, LocalDate day) {
        return prefix + "-reads-" + DAY.format(day);
    }

    public static String name(String prefix, Instant capturedAt) {
        return name(prefix, day(capturedAt));
    }

    /**
     * The UTC day of an instant. By arithmetic rather than {@code LocalDate.ofInstant}: on JDK 17
     * {@code ZoneOffset.getRules()} builds new zone rules (with a ConcurrentHashMap) on every call,
     * a tenth of a read's validation garbage.
     */
    public static LocalDate day(Instant capturedAt) {
        return LocalDate.ofEpochDay(epochDay(capturedAt));
    }

    /** The UTC day of an instant as days since 1970-01-01 (negative before it). */
    public static long epochDay(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), 86_400L);
    }

    /** The day an index holds, if the name is one of ours. */
    public static Optional<LocalDate> parseDay(String prefix, String indexName) {
        String head = prefix + "-reads-";
        if (!indexName.startsWith(head)) return Optional.empty();
        try {
            return Optional.of(LocalDate.parse(indexName.substring(head.length()), DAY));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    public static Instant expiresAt(LocalDate day, int retentionDays) {
        return day.plusDays(retentionDays).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** True when the day's index is already due for deletion at {@code now}. */
    public static boolean isExpired(LocalDate day, int retentionDays, Instant now) {
        return !now.isBefore(expiresAt(day, retentionDays));
    }
}
