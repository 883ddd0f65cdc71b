package org.platewarden.core.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.SpoolConfig;
import org.platewarden.core.io.ChannelOpener;
import org.platewarden.testkit.LogCapture;

/**
 * A disk hovering at the spool's threshold (writes refused and accepted by turns) gives one WARN,
 * not a WARN and an INFO per turn (seen while a disk filled: "spool full / space again" flapping);
 * the INFO comes once there is room by a margin. Which writes are refused stays exact.
 */
class DiskFullLogTest {
    private static final long NEEDED_ABOUT = SpoolWriter.DISK_RESERVE_BYTES + 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void aDiskHoveringAtTheThresholdGivesOneWarnAndTheInfoOnlyOnceThereIsRoomByTheMargin() throws Exception {
        AtomicLong free = new AtomicLong(Long.MAX_VALUE / 2);
        List<String> lines;
        try (LogCapture log = new LogCapture();
             SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(1024 * 1024, 64L * 1024 * 1024), new SimpleMeterRegistry(),
                     ChannelOpener.DEFAULT, free::get)) {
            for (int turn = 0; turn < 10; turn++) {
                free.set(SpoolWriter.DISK_RESERVE_BYTES); // below what any write needs
                int t = turn;
                CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                        () -> spool.append(SegmentedSpoolTest.batch("full" + t, 1)).join());
                assertTrue(refused.getCause() instanceof SpoolFullException, refused.toString());
                free.set(NEEDED_ABOUT); // room for the write, not by the margin
                assertEquals(t + 1, SegmentedSpoolTest.await(spool.append(SegmentedSpoolTest.batch("room" + t, 1))), "accepted, exactly as before");
            }
            assertEquals(1, count(log.lines(), "WARN", "appends are refused as full"), String.join("\n", log.lines()));
            assertEquals(0, count(log.lines(), "INFO", "again"), String.join("\n", log.lines()));

            free.set(NEEDED_ABOUT + DiskFullLog.MARGIN_BYTES);
            SegmentedSpoolTest.await(spool.append(SegmentedSpoolTest.batch("roomy", 1)));
            lines = log.lines();
        }
        assertEquals(1, count(lines, "INFO", "again"), "the episode ends in the log once there is room by the margin:\n" + String.join("\n", lines));
        assertEquals(1, count(lines, "WARN", "appends are refused as full"), String.join("\n", lines));
    }

    private static long count(List<String> lines, String level, String text) {
        return lines.stream().filter(l -> l.contains("] " + level + " ") && l.contains(text)).count();
    }
}
