package org.platewarden.indexer;

import java.time.Clock;
import java.time.LocalDate;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.log.ThrottledWarning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The days this indexer has recorded in the day registry since it started, so each day costs one
 * registry write per start at most. Called on the indexer's thread once a bulk has put reads of
 * those days in Elasticsearch: recording <em>after</em> the reads landed means a failure can only
 * leave a day with reads unrecorded — a later deletion of its index then goes unnoticed — never
 * record a day that holds no reads, which would be reported missing. The write runs alongside the
 * indexing and nothing waits for it, so it can neither lose nor delay a read; a failed one is
 * logged (throttled) and tried again with the next bulk that indexes reads of that day.
 * Bounded: days past retention are forgotten.
 */
final class RecordedDays {
    private static final Logger LOG = LoggerFactory.getLogger(RecordedDays.class);

    private final DayRecorder recorder;
    private final Executor loop;
    private final Clock clock;
    private final int retentionDays;
    private final ThrottledWarning failures = new ThrottledWarning(LOG::warn, 1, TimeUnit.MINUTES, System::nanoTime);
    // --- touched only on the loop thread ---
    private final Set<LocalDate> recorded = new HashSet<>();
    private final Set<LocalDate> recording = new HashSet<>();

    RecordedDays(DayRecorder recorder, Executor loop, Clock clock, int retentionDays) {
        this.recorder = recorder;
        this.loop = loop;
        this.clock = clock;
        this.retentionDays = retentionDays;
    }

    /** Reads of these days are now in Elasticsearch: records those not recorded (or being recorded) yet. */
    void indexed(Collection<LocalDate> days) {
        for (LocalDate day : days) {
            if (recorded.contains(day) || !recording.add(day)) continue;
            recorder.record(day, clock.instant()).whenComplete((ok, e) -> loop.execute(() -> {
                recording.remove(day);
                if (e == null) {
                    remember(day);
                } else {
                    failures.warn("cannot record day " + day + " in the day registry (" + e
                            + "); its reads are indexed, and it is tried again with its next bulk: until then a"
                            + " deletion of its index would not be reported as missing");
                }
            }));
        }
    }

    private void remember(LocalDate day) {
        recorded.add(day);
        if (recorded.size() > retentionDays + 2) recorded.removeIf(d -> DailyIndex.isExpired(d, retentionDays, clock.instant()));
    }

    /** For tests and gauges: how many days this indexer knows to be recorded. */
    int known() {
        return recorded.size();
    }
}
