package org.platewarden.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottledWarningTest {
    @Test
    void aFloodIsOneLinePerIntervalCountingTheRest() {
        List<String> lines = new ArrayList<>();
        AtomicLong now = new AtomicLong(0);
        ThrottledWarning warning = new ThrottledWarning(lines::add, 10, TimeUnit.SECONDS, now::get);
        for (int i = 0; i < 1000; i++) warning.warn("503 on GET /v1/holds");
        assertEquals(List.of("503 on GET /v1/holds"), lines, "the first at once, the rest of the interval left out");

        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        warning.warn("503 on POST /v1/search");
        assertEquals(2, lines.size());
        assertEquals("503 on POST /v1/search (999 more like it since the last one logged, 10 s or more ago, not logged)", lines.get(1));

        now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        warning.warn("quiet again");
        assertEquals("quiet again", lines.get(2), "nothing left out: no count");
    }

    @Test
    void whatWasLeftOutAtTheEndOfAFloodIsLoggedByTheFlushOnceTheIntervalIsOver() {
        List<String> lines = new ArrayList<>();
        AtomicLong now = new AtomicLong(0);
        ThrottledWarning warning = new ThrottledWarning(lines::add, 10, TimeUnit.SECONDS, now::get);
        for (int i = 0; i < 40; i++) warning.warn("503 on GET /v1/audit");
        warning.flush(false);
        assertEquals(1, lines.size(), "within the interval the flush waits, as a warning would");

        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        warning.flush(false);
        assertEquals(List.of("503 on GET /v1/audit", "39 more like the last one logged since it was, not logged"), lines);
        warning.flush(true);
        assertEquals(2, lines.size(), "nothing left out since: nothing to write");

        warning.warn("503 on GET /v1/audit");
        assertEquals(2, lines.size(), "within the interval the flush's line started");
        warning.flush(true);
        assertEquals("1 more like the last one logged since it was, not logged", lines.get(2), "at shutdown: at once");
    }

    @Test
    void aWarningWithCauseHandsTheCauseOfEachLineWrittenToItsSink() {
        List<String> lines = new ArrayList<>();
        List<Throwable> causes = new ArrayList<>();
        AtomicLong now = new AtomicLong(0);
        ThrottledWarning warning = ThrottledWarning.withCause((line, cause) -> {
            lines.add(line);
            causes.add(cause);
        }, 1, TimeUnit.SECONDS, now::get);
        IllegalStateException first = new IllegalStateException("first");
        warning.warn("500 on POST /v1/reads", first);
        warning.warn("500 on POST /v1/reads", new IllegalStateException("left out"));
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        IllegalStateException third = new IllegalStateException("third");
        warning.warn("500 on POST /v1/reads", third);
        assertEquals(List.of("500 on POST /v1/reads",
                "500 on POST /v1/reads (1 more like it since the last one logged, 1 s or more ago, not logged)"), lines);
        assertEquals(List.of(first, third), causes, "the stack trace of each line written, none of the left-out one");
    }
}
