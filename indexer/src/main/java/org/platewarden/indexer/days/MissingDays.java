package org.platewarden.indexer.days;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.platewarden.core.index.DailyIndex;

/**
 * Which days are missing: recorded in the day registry as holding reads, inside retention, and
 * without their daily index — deleted by something other than retention (by mistake, a restore
 * that left it out). A day past retention is expected to be gone (ILM or the sweeper deletes it,
 * whatever the registry still says), and a day never recorded held no reads: neither is missing.
 */
public final class MissingDays {
    private MissingDays() {
    }

    /** The missing days among {@code recorded}, oldest first. */
    public static List<LocalDate> of(Collection<LocalDate> recorded, Collection<LocalDate> indexed, int retentionDays, Instant now) {
        List<LocalDate> missing = new ArrayList<>();
        for (LocalDate day : recorded) {
            if (!indexed.contains(day) && !DailyIndex.isExpired(day, retentionDays, now)) missing.add(day);
        }
        missing.sort(null);
        return missing;
    }
}
