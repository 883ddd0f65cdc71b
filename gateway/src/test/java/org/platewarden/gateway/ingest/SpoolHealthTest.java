package org.platewarden.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.spool.Spool;
import org.platewarden.core.spool.SpoolFullException;
import org.platewarden.gateway.testsupport.Spools;

/**
 * A full spool is logged once per episode, whichever event loops meet it. A chaos test saw the WARN
 * five times in a second (one instance already served every loop): at the spool's limit refusals
 * and stored appends interleave (a smaller append fits where a larger did not; the write queue
 * drains between bursts), and every stored append ended the episode, so the next refusal warned
 * again.
 */
class SpoolHealthTest {
    @TempDir
    Path dir;

    @Test
    void aFullSpoolIsWarnedOnceAnEpisodeThoughRefusalsAndStoredAppendsInterleaveOnEveryLoop() throws Exception {
        try (Spool spool = Spools.open(dir, 16384)) {
            AtomicLong now = new AtomicLong(1_000_000_000L);
            List<String> warnings = new CopyOnWriteArrayList<>();
            List<String> infos = new CopyOnWriteArrayList<>();
            SpoolHealth health = new SpoolHealth(spool, now::get, warnings::add, infos::add);
            SpoolFullException full = new SpoolFullException("spool full: test");

            health.observe(full);
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).startsWith("spool full"), warnings.get(0));
            assertTrue(health.full(), "not ready after a refusal");
            // five event loops at the limit: refusals and stored appends interleaved, for nine seconds
            List<Thread> loops = new ArrayList<>();
            for (int loop = 0; loop < 5; loop++) {
                Thread t = new Thread(() -> {
                    for (int i = 0; i < 1000; i++) {
                        health.observe(full);
                        health.appended();
                    }
                });
                loops.add(t);
                t.start();
            }
            for (Thread t : loops) t.join();
            now.addAndGet(TimeUnit.SECONDS.toNanos(9));
            health.appended();
            assertEquals(1, warnings.size(), "one WARN for the episode: " + warnings);
            assertEquals(List.of(), infos, "not over while refusals keep coming");
            assertFalse(health.full(), "readiness follows each stored append, as before");

            // ten seconds without a refusal: the next stored append ends it
            now.addAndGet(TimeUnit.SECONDS.toNanos(10));
            health.appended();
            health.appended();
            assertEquals(1, infos.size(), "one INFO at its end: " + infos);
            assertTrue(infos.get(0).startsWith("spool accepts reads again"), infos.get(0));
            assertTrue(infos.get(0).contains("5001 appends were refused"), infos.get(0));

            // a later refusal is a new episode
            health.observe(full);
            assertEquals(2, warnings.size());
        }
    }
}
