package org.platewarden.core.spool;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that is appending to the spool with SIGKILL at random points and checks the
 * promise the gateway makes to cameras: every record acknowledged before the kill is in the
 * recovered spool exactly once, at the sequence number it was acknowledged with (unless the
 * indexer had already checkpointed past it and its segment was deleted).
 */
class SpoolCrashTest {
    private static final int ITERATIONS = 5;
    private static final Pattern ID = Pattern.compile("\"read_id\":\"([^\"]+)\"");

    @TempDir
    Path dir;

    @TempDir
    Path childLogs;

    @Test
    void acknowledgedRecordsSurviveSigkill() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Map<String, Long> acked = new HashMap<>();
        long lastCheckpointSeen = 0;
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            String context = "seed " + seed + ", iteration " + iteration;
            ChildRun run = runAndKill("i" + iteration, 300 + random.nextInt(1200));
            assertTrue(run.acks.size() > 0, "child acknowledged nothing before the kill (" + context + ")");
            for (Map.Entry<String, Long> ack : run.acks.entrySet()) {
                assertEquals(null, acked.put(ack.getKey(), ack.getValue()), "acked twice: " + ack.getKey());
            }
            lastCheckpointSeen = Math.max(lastCheckpointSeen, run.lastCheckpoint);

            try (SegmentedSpool spool = SegmentedSpool.open(dir, SpoolCrashChild.CONFIG)) {
                assertTrue(spool.quarantined().isEmpty(), "SIGKILL loses nothing acknowledged: " + spool.quarantined());
                long checkpoint = spool.checkpoint();
                assertTrue(checkpoint >= lastCheckpointSeen, "persisted checkpoint " + checkpoint
                        + " behind the last one reported " + lastCheckpointSeen + " (" + context + ")");
                Map<Long, String> bySeq = new HashMap<>();
                Map<String, Long> byId = new HashMap<>();
                long expectedSeq = -1;
                for (SpoolRecord r : SegmentedSpoolTest.readAll(spool)) {
                    if (expectedSeq >= 0) assertEquals(expectedSeq, r.seq(), "sequence numbers dense (" + context + ")");
                    expectedSeq = r.seq() + 1;
                    String id = idOf(r);
                    Long before = byId.put(id, r.seq());
                    if (before != null) fail("record " + id + " present twice, at " + before + " and " + r.seq() + " (" + context + ")");
                    bySeq.put(r.seq(), id);
                }
                assertEquals(spool.lastDurableSeq(), expectedSeq < 0 ? checkpoint : expectedSeq - 1);
                int checked = 0;
                for (Map.Entry<String, Long> ack : acked.entrySet()) {
                    long seq = ack.getValue();
                    String found = bySeq.get(seq);
                    if (found == null && seq <= checkpoint) continue; // indexed, checkpointed and deleted: legitimate
                    assertEquals(ack.getKey(), found, "acknowledged record at seq " + seq + " (" + context + ")");
                    checked++;
                }
                assertTrue(checked > 0, "some acknowledged records were still to be indexed (" + context + ")");
                System.out.printf("iteration %d: %d acks, %d verified at their seq, checkpoint %d, last seq %d%n",
                        iteration, run.acks.size(), checked, checkpoint, spool.lastDurableSeq());
            }
        }
        try (SegmentedSpool spool = SegmentedSpool.open(dir, SpoolCrashChild.CONFIG)) {
            long last = spool.lastDurableSeq();
            long seq = spool.append(List.of(SegmentedSpoolTest.read("after-crashes"))).get(10, TimeUnit.SECONDS);
            assertEquals(last + 1, seq);
            assertEquals("after-crashes", idOf(spool.read(last, 10).get(0)));
        }
    }

    private static String idOf(SpoolRecord r) {
        Matcher m = ID.matcher(new String(r.json(), UTF_8));
        assertTrue(m.find(), "record without read_id at seq " + r.seq());
        return m.group(1);
    }

    private record ChildRun(Map<String, Long> acks, long lastCheckpoint) {
    }

    private ChildRun runAndKill(String tag, long killAfterMillis) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java",
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                SpoolCrashChild.class.getName(), dir.toString(), tag, "4");
        pb.redirectError(childLogs.resolve("child-" + tag + ".err").toFile());
        Process child = pb.start();
        Map<String, Long> acks = new HashMap<>();
        long[] lastCheckpoint = {0};
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> readLines(child.getInputStream(), line -> {
            if (line.startsWith("READY")) {
                ready.countDown();
            } else if (line.startsWith("ACK ")) {
                String[] parts = line.split(" ");
                synchronized (acks) {
                    acks.put(parts[1], Long.parseLong(parts[2]));
                }
            } else if (line.startsWith("CKPT ")) {
                lastCheckpoint[0] = Long.parseLong(line.substring(5));
            } else {
                System.err.println("child: " + line);
            }
        }), "child-stdout");
        reader.start();
        try {
            if (!ready.await(30, TimeUnit.SECONDS)) fail("child did not start");
            Thread.sleep(killAfterMillis);
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        reader.join(10_000);
        assertNotNull(child);
        synchronized (acks) {
            return new ChildRun(new HashMap<>(acks), lastCheckpoint[0]);
        }
    }

    /** Only complete lines count: a line the kill cut short was never a full acknowledgement. */
    private static void readLines(InputStream in, java.util.function.Consumer<String> onLine) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        onLine.accept(line.toString(UTF_8));
                        line.reset();
                    } else {
                        line.write(buf[i]);
                    }
                }
            }
        } catch (IOException e) {
            // the pipe closes when the child dies
        }
    }
}
