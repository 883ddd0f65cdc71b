package org.platewarden.core.index;

import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link DailyIndex#name} for one prefix, remembered per UTC day. The indexer names the target
 * index of every read it sends, and formatting the date each time was its largest source of garbage
 * (JFR allocation samples, tenth session); nearly every read falls on the day before it.
 * Not thread-safe: one per indexer thread.
 */
public final class DailyIndexNames {
    /** bounded memory whatever capture days arrive; a day that falls out is formatted again */
    static final int MAX_DAYS = 64;

    private final String prefix;
    private final Map<Long, String> byEpochDay = new HashMap<>();
    private long lastDay = Long.MIN_VALUE;
    private String lastName;

    public DailyIndexNames(String prefix) {
        this.prefix = prefix;
    }

    public String name(Instant capturedAt) {
        long day = DailyIndex.epochDay(capturedAt);
        if (day == lastDay) return lastName;
        String name = byEpochDay.get(day);
        if (name == null) {
            if (byEpochDay.size() >= MAX_DAYS) byEpochDay.clear();
            name = DailyIndex.name(prefix, LocalDate.ofEpochDay(day));
            byEpochDay.put(day, name);
        }
        lastDay = day;
        lastName = name;
        return name;
    }
}
