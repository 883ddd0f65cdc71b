package org.platewarden.core.spool;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.SpoolConfig;
import org.platewarden.core.io.ChannelOpener;

class SegmentedSpoolTest {
    private static final SpoolConfig ROOMY = new SpoolConfig(1024 * 1024, 64L * 1024 * 1024);

    @TempDir
    Path dir;

    static byte[] read(String id) {
        return ("{\"read_id\":\"" + id + "\",\"camera_id\":\"cam-001\",\"plate\":\"ABC1234\",\"captured_at\":"
                + "\"2026-11-22T14:03:07.123Z\",\"plate_confidence\":0.93,\"image_ref\":\"" + noise(id) + "\"}").getBytes(UTF_8);
    }

    /** Incompressible but deterministic: keeps frame sizes realistic despite LZ4. */
    static String noise(String id) {
        java.util.Random random = new java.util.Random(id.hashCode());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) sb.append(Long.toHexString(random.nextLong()));
        return sb.toString();
    }

    static List<byte[]> batch(String prefix, int n) {
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < n; i++) records.add(read(prefix + "-" + i));
        return records;
    }

    static String text(SpoolRecord r) {
        return new String(r.json(), UTF_8);
    }

    static long await(CompletableFuture<Long> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    static List<SpoolRecord> readAll(Spool spool) {
        List<SpoolRecord> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<SpoolRecord> page = spool.read(after, 100);
            if (page.isEmpty()) return all;
            all.addAll(page);
            after = page.get(page.size() - 1).seq();
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefusedUntilTheFirstCloses() throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            IOException refused = assertThrows(IOException.class, () -> SegmentedSpool.open(dir, ROOMY));
            assertEquals("spool " + dir + " is in use by another process", refused.getMessage());
            assertEquals(1, await(spool.append(batch("a", 1))));
        }
        try (SegmentedSpool again = SegmentedSpool.open(dir, ROOMY)) {
            assertEquals(1, again.lastDurableSeq());
        }
    }

    @Test
    void roundTripReturnsRecordsInOrderWithDenseSequenceNumbers() throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            assertEquals(0, spool.lastDurableSeq());
            assertTrue(spool.read(0, 10).isEmpty());
            assertEquals(3, await(spool.append(batch("a", 3))));
            assertEquals(4, await(spool.append(List.of(read("b-0")))));
            assertEquals(9, await(spool.append(batch("c", 5))));
            assertEquals(9, spool.lastDurableSeq());

            List<SpoolRecord> all = spool.read(0, 100);
            assertEquals(9, all.size());
            for (int i = 0; i < 9; i++) assertEquals(i + 1, all.get(i).seq());
            assertEquals(new String(read("a-0"), UTF_8), text(all.get(0)));
            assertEquals(new String(read("b-0"), UTF_8), text(all.get(3)));
            assertEquals(new String(read("c-4"), UTF_8), text(all.get(8)));

            List<SpoolRecord> middle = spool.read(2, 3);
            assertEquals(List.of(3L, 4L, 5L), middle.stream().map(SpoolRecord::seq).toList());
            assertTrue(spool.read(9, 10).isEmpty());
        }
    }

    @Test
    void rejectsEmptyAppendAndReportsDurabilityToListeners() throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> spool.append(List.of()).get());
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            CountDownLatch woken = new CountDownLatch(1);
            spool.onDurable(woken::countDown);
            spool.append(batch("x", 2));
            assertTrue(woken.await(10, TimeUnit.SECONDS));
            assertEquals(2, spool.lastDurableSeq());
        }
    }

    @Test
    void concurrentAppendersShareFsyncsAndGetDenseUniqueSequenceNumbers() throws Exception {
        int threads = 8;
        int appendsPerThread = 300;
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(256 * 1024, 256L * 1024 * 1024))) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            List<Thread> appenders = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                List<CompletableFuture<Long>> mine = new ArrayList<>();
                Thread appender = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < appendsPerThread; i++) {
                        // two records per append, so each future's seq is the second of a pair
                        mine.add(spool.append(batch("t" + thread + "-" + i, 2)));
                    }
                    synchronized (futures) {
                        futures.addAll(mine);
                    }
                });
                appenders.add(appender);
                appender.start();
            }
            go.countDown();
            for (Thread t : appenders) t.join();
            Set<Long> lastSeqs = new HashSet<>();
            for (CompletableFuture<Long> f : futures) lastSeqs.add(await(f));
            int appends = threads * appendsPerThread;
            assertEquals(appends, lastSeqs.size(), "every append gets its own sequence range");
            assertEquals(2L * appends, spool.lastDurableSeq());

            List<SpoolRecord> all = readAll(spool);
            assertEquals(2 * appends, all.size());
            Set<String> ids = all.stream().map(SegmentedSpoolTest::text).collect(Collectors.toSet());
            assertEquals(2 * appends, ids.size(), "no record lost or duplicated");
            for (int i = 0; i < all.size(); i++) assertEquals(i + 1, all.get(i).seq());

            assertEquals(appends, spool.appendCount());
            assertTrue(spool.fsyncCount() < spool.appendCount(),
                    "group commit: " + spool.fsyncCount() + " fsyncs for " + spool.appendCount() + " appends");
            System.out.printf("group commit: %d fsyncs for %d appends (ratio %.3f)%n", spool.fsyncCount(),
                    spool.appendCount(), (double) spool.fsyncCount() / spool.appendCount());
        }
    }

    @Test
    void appendsArrivingWithinTheGroupCommitIntervalShareOneFsync() throws Exception {
        // a long interval makes the gathering visible without timing anything
        SpoolConfig config = new SpoolConfig(1024 * 1024, 64L * 1024 * 1024, true, 300_000);
        try (SegmentedSpool spool = SegmentedSpool.open(dir, config)) {
            assertEquals(1, await(spool.append(batch("first", 1))));
            long fsyncs = spool.fsyncCount();
            List<CompletableFuture<Long>> gathered = new ArrayList<>();
            for (int i = 0; i < 20; i++) gathered.add(spool.append(batch("g" + i, 1)));
            for (CompletableFuture<Long> f : gathered) await(f);
            assertEquals(fsyncs + 1, spool.fsyncCount(), "appends made within the interval share one group commit");
            assertEquals(21, readAll(spool).size());
        }
        assertThrows(IllegalArgumentException.class,
                () -> SegmentedSpool.open(dir, new SpoolConfig(1024 * 1024, 64L * 1024 * 1024, true, -1)));
    }

    @Test
    void rollsSegmentsAndDeletesThoseBehindTheCheckpoint() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // without preallocation the files hold exactly the counted bytes; with it the newest file
        // may also hold unused zeros (preallocatedSegmentsAreOverwrittenAndCutBackToTheirFrames)
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 1024 * 1024, false, SpoolConfig.DEFAULT_GROUP_COMMIT_INTERVAL_MICROS), registry)) {
            for (int i = 0; i < 100; i++) await(spool.append(batch("r" + i, 5)));
            List<Path> files = spool.segmentFiles();
            assertTrue(files.size() > 5, "rolled into " + files.size() + " segments");
            for (Path f : files) {
                assertTrue(Files.size(f) <= 4096, f + " exceeds the segment size");
                long firstSeq = Segment.parseFirstSeq(f.getFileName().toString());
                assertTrue(firstSeq >= 1);
            }
            assertEquals(onDisk(), spool.sizeBytes());
            long before = spool.sizeBytes();

            long checkpoint = 250;
            spool.advanceCheckpoint(checkpoint);
            assertEquals(checkpoint, spool.checkpoint());
            List<Path> left = spool.segmentFiles();
            assertTrue(left.size() < files.size(), "segments deleted");
            assertTrue(spool.sizeBytes() < before);
            assertEquals(onDisk(), spool.sizeBytes());
            // what is left starts at or below checkpoint + 1: nothing unprocessed was deleted
            assertTrue(Segment.parseFirstSeq(left.get(0).getFileName().toString()) <= checkpoint + 1);
            for (Path gone : files.subList(0, files.size() - left.size())) assertFalse(Files.exists(gone));

            // reads after the checkpoint are complete and in order, from disk
            List<SpoolRecord> rest = new ArrayList<>();
            long after = checkpoint;
            for (List<SpoolRecord> page; !(page = spool.read(after, 7)).isEmpty(); after = page.get(page.size() - 1).seq()) {
                rest.addAll(page);
            }
            assertEquals(500 - checkpoint, rest.size());
            assertEquals(checkpoint + 1, rest.get(0).seq());
            assertEquals(new String(read("r50-0"), UTF_8), text(rest.get(0)));

            assertThrows(IllegalArgumentException.class, () -> spool.advanceCheckpoint(501));
            spool.advanceCheckpoint(100); // never backwards
            assertEquals(checkpoint, spool.checkpoint());

            assertTrue(registry.get("platewarden.spool.fsyncs").functionCounter().count() >= 100);
            assertEquals(500 - checkpoint, registry.get("platewarden.spool.lag").gauge().value());
            assertEquals(spool.sizeBytes(), registry.get("platewarden.spool.bytes").gauge().value());
            assertTrue(registry.get("platewarden.spool.fsync").timer().count() > 0);
            assertEquals(0, spool.preallocatedSegmentCount());
            assertEquals(files.size(), registry.get("platewarden.spool.segments.started").tag("preallocated", "false")
                    .functionCounter().count());
            assertFalse(Files.exists(dir.resolve(SegmentPreallocator.SPARE_NAME)), "no spare without preallocation");
        }
    }

    private long onDisk() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            long total = 0;
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) total += Files.size(p);
            return total;
        }
    }

    @Test
    void refusesAppendsWhenFullAndAcceptsAgainAfterCheckpoint() throws Exception {
        SpoolConfig small = new SpoolConfig(4096, 16 * 1024);
        try (SegmentedSpool spool = SegmentedSpool.open(dir, small)) {
            int accepted = 0;
            Throwable refusal = null;
            for (int i = 0; i < 1000 && refusal == null; i++) {
                try {
                    await(spool.append(batch("full" + i, 4)));
                    accepted++;
                } catch (ExecutionException e) {
                    refusal = e.getCause();
                }
            }
            assertInstanceOf(SpoolFullException.class, refusal);
            assertTrue(accepted > 0);
            assertTrue(spool.sizeBytes() <= small.capacityBytes());
            // still full: another append fails fast, without waiting for the writer
            CompletableFuture<Long> again = spool.append(batch("again", 4));
            assertTrue(again.isCompletedExceptionally());

            spool.advanceCheckpoint(spool.lastDurableSeq());
            long seq = await(spool.append(batch("after", 4)));
            assertEquals(4L * accepted + 4, seq);
            List<SpoolRecord> last = spool.read(seq - 1, 10);
            assertEquals(new String(read("after-3"), UTF_8), text(last.get(0)));
        }
    }

    @Test
    void anAppendOverTheFrameLimitIsRefusedAsTooLargeNotFull() throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            // two records of 16 MiB and 8 bytes of length prefixes: just over the 32 MiB frame limit
            byte[] half = new byte[16 * 1024 * 1024];
            ExecutionException e = assertThrows(ExecutionException.class, () -> spool.append(List.of(half, half)).get());
            assertInstanceOf(AppendTooLargeException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("frame limit"), e.getCause().getMessage());
            assertEquals(0, spool.lastDurableSeq());
            assertEquals(1, await(spool.append(batch("after", 1))));
        }
    }

    @Test
    void capacityOfLessThanTwoSegmentsIsRefused() {
        // one full segment, fully indexed, would stay (the newest is never deleted) and fill the capacity
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SegmentedSpool.open(dir, new SpoolConfig(64 * 1024, 64 * 1024)));
        assertTrue(e.getMessage().contains("twice segment_bytes"), e.getMessage());
    }

    @Test
    void spoolOfTwoSegmentsRollsOverOnceDrainedEveryTime() throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 8192))) {
            for (int round = 0; round < 5; round++) {
                int accepted = 0;
                Throwable refusal = null;
                for (int i = 0; i < 1000 && refusal == null; i++) {
                    try {
                        await(spool.append(batch("r" + round + "-" + i, 4)));
                        accepted++;
                    } catch (ExecutionException e) {
                        refusal = e.getCause();
                    }
                }
                assertInstanceOf(SpoolFullException.class, refusal, "round " + round);
                assertTrue(accepted > 0, "round " + round + ": nothing accepted after the drain");
                spool.advanceCheckpoint(spool.lastDurableSeq());
            }
        }
    }

    @Test
    void reopenKeepsRecordsAndCheckpoint() throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 1024 * 1024))) {
            for (int i = 0; i < 40; i++) await(spool.append(batch("k" + i, 3)));
            spool.advanceCheckpoint(60);
        }
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 1024 * 1024))) {
            assertEquals(60, spool.checkpoint());
            assertEquals(120, spool.lastDurableSeq());
            assertTrue(spool.quarantined().isEmpty());
            List<SpoolRecord> rest = spool.read(60, 1000);
            assertEquals(60, rest.size());
            assertEquals(new String(read("k20-0"), UTF_8), text(rest.get(0)));
            assertEquals(123, await(spool.append(batch("new", 3))));
            assertEquals(new String(read("new-2"), UTF_8), text(spool.read(122, 1).get(0)));
        }
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 1024 * 1024))) {
            assertEquals(123, spool.lastDurableSeq());
            assertEquals(63, spool.read(60, 1000).size());
        }
    }

    @Test
    void preallocatedSegmentsAreOverwrittenAndCutBackToTheirFrames() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SpoolConfig config = new SpoolConfig(4096, 1024 * 1024);
        long counted;
        try (SegmentedSpool spool = SegmentedSpool.open(dir, config, registry)) {
            for (int i = 0; i < 100; i++) {
                await(spool.append(batch("p" + i, 5)));
                // once the segment is half full the writer asks for a spare; let it be ready
                // before the roll, so that every segment after the first starts from one
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!spool.preallocatorIdle() && System.nanoTime() < deadline) Thread.sleep(1);
            }
            List<Path> files = spool.segmentFiles();
            assertTrue(files.size() > 5, "rolled into " + files.size() + " segments");
            double preallocated = registry.get("platewarden.spool.segments.started").tag("preallocated", "true")
                    .functionCounter().count();
            double appended = registry.get("platewarden.spool.segments.started").tag("preallocated", "false")
                    .functionCounter().count();
            assertEquals(1, appended, "only the first segment is created by appending");
            assertEquals(files.size() - 1, preallocated);
            assertEquals(files.size() - 1, spool.preallocatedSegmentCount());
            // finished segments are cut back to their last frame; the newest one still has its zeros
            long finished = 0;
            for (Path f : files.subList(0, files.size() - 1)) finished += Files.size(f);
            Path newest = files.get(files.size() - 1);
            assertEquals(4096, Files.size(newest), "the newest segment is a whole preallocated file");
            long newestData = spool.sizeBytes() - finished;
            assertTrue(newestData < 4096, "data in the newest segment: " + newestData);
            counted = spool.sizeBytes();
        }
        assertEquals(counted, onDisk(), "close cuts the newest segment back to its frames");
        assertFalse(Files.exists(dir.resolve(SegmentPreallocator.SPARE_NAME)), "close deletes the spare");
        try (SegmentedSpool spool = SegmentedSpool.open(dir, config)) {
            assertTrue(spool.quarantined().isEmpty());
            List<SpoolRecord> all = readAll(spool);
            assertEquals(500, all.size());
            for (int i = 0; i < 500; i++) assertEquals(i + 1, all.get(i).seq());
            assertEquals(new String(read("p99-4"), UTF_8), text(all.get(499)));
        }
    }

    /** Writes 10 batches of 2 records ({@code prefix + i + "-" + j}), closes the spool, returns its segment. */
    private Path closedSpoolOfTwentyRecords(String prefix) throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            for (int i = 0; i < 10; i++) await(spool.append(batch(prefix + i, 2)));
            return spool.segmentFiles().get(0);
        }
    }

    @Test
    void zerosLeftAfterTheLastFrameByACrashAreOverwrittenNotReported() throws Exception {
        Path last = closedSpoolOfTwentyRecords("z");
        long goodSize = Files.size(last);
        // a crash between group commits leaves the unused part of a preallocated segment as zeros
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.setLength(goodSize + 64 * 1024);
        }
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            assertTrue(spool.quarantined().isEmpty(), "unused zeros are neither damage nor loss");
            assertEquals(20, spool.lastDurableSeq());
            assertEquals(goodSize, spool.sizeBytes());
            assertEquals(22, await(spool.append(batch("after", 2))));
            assertEquals(goodSize + 64 * 1024, Files.size(last), "the new frame overwrote zeros in place");
            assertEquals(new String(read("after-1"), UTF_8), text(spool.read(21, 5).get(0)));
        }
        assertTrue(Files.size(last) > goodSize && Files.size(last) < goodSize + 64 * 1024, "cut back on close");
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            assertTrue(spool.quarantined().isEmpty());
            List<SpoolRecord> all = readAll(spool);
            assertEquals(22, all.size());
            assertEquals(new String(read("z9-1"), UTF_8), text(all.get(19)));
        }
    }

    @Test
    void tornFrameBeforePreallocatedZerosIsTruncated() throws Exception {
        Path last = closedSpoolOfTwentyRecords("u");
        long goodSize = Files.size(last);
        // the crash came during a write into preallocated space: part of a frame, then zeros
        byte[] partial = java.util.Arrays.copyOf(read("never-acknowledged"), 150);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.seek(goodSize);
            f.writeInt(900);
            f.writeInt(0x12345678);
            f.write(partial);
            f.setLength(goodSize + 256 * 1024);
        }
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            assertEquals(goodSize, Files.size(last), "torn frame and the zeros after it truncated");
            assertTrue(spool.quarantined().isEmpty(), "a torn frame was never acknowledged: no loss to report");
            assertEquals(20, spool.lastDurableSeq());
            assertEquals(22, await(spool.append(batch("after", 2))));
            assertEquals(22, readAll(spool).size());
        }
    }

    @Test
    void spareLeftByACrashIsDeletedAtOpenWhateverTheSetting() throws Exception {
        Path spare = dir.resolve(SegmentPreallocator.SPARE_NAME);
        Files.write(spare, SegmentHeader.encode(7).array());
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 1024 * 1024, false, SpoolConfig.DEFAULT_GROUP_COMMIT_INTERVAL_MICROS))) {
            assertFalse(Files.exists(spare));
            assertTrue(spool.quarantined().isEmpty());
            assertEquals(1, await(spool.append(batch("s", 1))));
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryIsRefused() throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            assertThrows(IOException.class, () -> SegmentedSpool.open(dir, ROOMY));
        }
    }

    @Test
    void tornTailIsTruncatedAndAppendsContinue() throws Exception {
        Path last;
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            for (int i = 0; i < 10; i++) await(spool.append(batch("t" + i, 2)));
            last = spool.segmentFiles().get(0);
        }
        long goodSize = Files.size(last);
        // a frame cut short by the crash: the start of a plausible frame, then nothing
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.seek(goodSize);
            f.writeInt(500);
            f.writeInt(0x12345678);
            f.write(new byte[100]);
        }
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            assertEquals(goodSize, Files.size(last), "torn tail truncated");
            assertEquals(20, spool.lastDurableSeq());
            assertTrue(spool.quarantined().isEmpty(), "a torn tail was never acknowledged: no loss to report");
            assertEquals(22, await(spool.append(batch("after", 2))));
        }
        // cut the file in the middle of its last frame
        long cut = Files.size(last) - 7;
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.setLength(cut);
        }
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            assertEquals(20, spool.lastDurableSeq());
            assertEquals(goodSize, Files.size(last));
            List<SpoolRecord> all = readAll(spool);
            assertEquals(20, all.size());
            assertEquals(new String(read("t9-1"), UTF_8), text(all.get(19)));
            assertEquals(22, await(spool.append(batch("again", 2))));
            assertEquals(new String(read("again-1"), UTF_8), text(spool.read(21, 5).get(0)));
        }
    }

    @Test
    void corruptMiddleFrameIsQuarantinedAndLaterFramesStayReadable() throws Exception {
        List<Long> frameStarts = new ArrayList<>();
        Path segment;
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            segment = null;
            for (int i = 0; i < 10; i++) {
                if (spool.segmentFiles().size() == 1) frameStarts.add(Files.size(spool.segmentFiles().get(0)));
                else frameStarts.add((long) SegmentHeader.SIZE);
                await(spool.append(batch("m" + i, 3)));
            }
            segment = spool.segmentFiles().get(0);
        }
        // frame 5 (records 13..15): flip bytes inside its payload
        long frame5 = frameStarts.get(4);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(frame5 + 30);
            byte b = f.readByte();
            f.seek(frame5 + 30);
            f.writeByte(b ^ 0x5a);
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY, registry)) {
            assertEquals(1, spool.quarantined().size());
            QuarantinedRange q = spool.quarantined().get(0);
            assertEquals(13, q.firstLostSeq());
            assertEquals(15, q.lastLostSeq());
            assertEquals(frame5, q.offset());
            assertEquals(frameStarts.get(5) - frame5, q.length());
            assertEquals(1.0, registry.get("platewarden.spool.quarantined").functionCounter().count());

            Path bytes = dir.resolve("quarantine").resolve(q.file().getFileName());
            assertEquals(q.length(), Files.size(bytes));
            Path note = dir.resolve("quarantine").resolve(q.file().getFileName().toString().replace(".bin", ".json"));
            JsonNode json = new ObjectMapper().readTree(note.toFile());
            assertEquals(13, json.get("first_lost_seq").asLong());
            assertEquals(15, json.get("last_lost_seq").asLong());
            assertEquals(segment.getFileName().toString(), json.get("segment").asText());

            assertEquals(30, spool.lastDurableSeq());
            List<SpoolRecord> all = readAll(spool);
            assertEquals(27, all.size());
            Set<Long> seqs = all.stream().map(SpoolRecord::seq).collect(Collectors.toSet());
            for (long s = 1; s <= 30; s++) {
                assertEquals(!q.covers(s), seqs.contains(s), "seq " + s + " readable unless quarantined");
            }
            assertEquals(new String(read("m5-0"), UTF_8), text(spool.read(15, 1).get(0)));
            assertEquals(33, await(spool.append(batch("later", 3))));
        }
        // reported again on the next open (still damaged on disk), evidence written once
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            assertEquals(1, spool.quarantined().size());
            assertEquals(33, spool.lastDurableSeq());
            assertEquals(30, readAll(spool).size());
        }
        try (Stream<Path> q = Files.list(dir.resolve("quarantine"))) {
            assertEquals(2, q.count());
        }
    }

    @Test
    void damagedTailOfAnOlderSegmentIsQuarantinedUpToTheNextSegment() throws Exception {
        List<Path> files;
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 1024 * 1024))) {
            for (int i = 0; i < 40; i++) await(spool.append(batch("s" + i, 3)));
            files = spool.segmentFiles();
        }
        assertTrue(files.size() >= 3);
        Path second = files.get(1);
        long nextFirst = Segment.parseFirstSeq(files.get(2).getFileName().toString());
        try (RandomAccessFile f = new RandomAccessFile(second.toFile(), "rw")) {
            f.setLength(f.length() - 10); // lose the end of its last frame
        }
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 1024 * 1024))) {
            assertEquals(1, spool.quarantined().size());
            QuarantinedRange q = spool.quarantined().get(0);
            assertEquals(nextFirst - 1, q.lastLostSeq());
            assertEquals(3, q.recordsLost());
            List<SpoolRecord> all = readAll(spool);
            assertEquals(120 - 3, all.size());
            assertEquals(120, all.get(all.size() - 1).seq());
        }
    }

    @Test
    void newSegmentWhoseHeaderNeverReachedDiskIsDropped() throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            await(spool.append(batch("h", 4)));
        }
        // crash right after creating the next segment: only part of its header made it
        Path torn = dir.resolve(Segment.fileName(5));
        Files.write(torn, new byte[] {0x50, 0x57, 0x53});
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            assertFalse(Files.exists(torn));
            assertEquals(4, spool.lastDurableSeq());
            assertTrue(spool.quarantined().isEmpty());
            assertEquals(6, await(spool.append(batch("h2", 2))));
            assertEquals(6, readAll(spool).size());
        }
    }

    @Test
    void missingSegmentIsReportedAsAGapNotSkippedSilently() throws Exception {
        List<Path> files;
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 1024 * 1024))) {
            for (int i = 0; i < 40; i++) await(spool.append(batch("g" + i, 3)));
            files = spool.segmentFiles();
        }
        long lostFrom = Segment.parseFirstSeq(files.get(1).getFileName().toString());
        long lostTo = Segment.parseFirstSeq(files.get(2).getFileName().toString()) - 1;
        Files.delete(files.get(1));
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 1024 * 1024))) {
            assertEquals(1, spool.quarantined().size());
            QuarantinedRange gap = spool.quarantined().get(0);
            assertEquals(lostFrom, gap.firstLostSeq());
            assertEquals(lostTo, gap.lastLostSeq());
            assertEquals(0, gap.length());
            List<SpoolRecord> all = readAll(spool);
            assertEquals(120 - gap.recordsLost(), all.size());
            for (SpoolRecord r : all) assertFalse(gap.covers(r.seq()));
            assertTrue(Files.exists(dir.resolve("quarantine").resolve(
                    files.get(2).getFileName().toString().replace(".log", "") + "-gap-" + lostFrom + ".json")));
        }
    }

    @Test
    void checkpointSurvivesReopenEvenWhenEverySegmentIsBehindIt() throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 1024 * 1024))) {
            for (int i = 0; i < 30; i++) await(spool.append(batch("c" + i, 3)));
            spool.advanceCheckpoint(90);
            assertEquals(1, spool.segmentFiles().size(), "only the newest segment is kept");
        }
        try (SegmentedSpool spool = SegmentedSpool.open(dir, new SpoolConfig(4096, 1024 * 1024))) {
            assertEquals(90, spool.checkpoint());
            assertEquals(90, spool.lastDurableSeq());
            assertTrue(spool.read(90, 10).isEmpty());
            assertTrue(spool.quarantined().isEmpty());
            assertEquals(91, await(spool.append(batch("next", 1))));
        }
    }

    @Test
    void failedFsyncStopsTheSpoolForGood() throws Exception {
        AtomicInteger forces = new AtomicInteger();
        ChannelOpener failing = (path, options) -> new org.platewarden.testkit.FailingFileChannel(
                java.nio.channels.FileChannel.open(path, options), () -> forces.incrementAndGet() > 3);
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY, null, failing)) {
            // header fsync + 2 appends succeed
            assertEquals(2, await(spool.append(batch("ok1", 2))));
            assertEquals(4, await(spool.append(batch("ok2", 2))));
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(spool.append(batch("bad", 2))));
            assertInstanceOf(SpoolFailedException.class, e.getCause());
            CompletableFuture<Long> later = spool.append(batch("later", 1));
            assertTrue(later.isCompletedExceptionally(), "every later append fails at once");
            e = assertThrows(ExecutionException.class, later::get);
            assertInstanceOf(SpoolFailedException.class, e.getCause());
            assertEquals(4, spool.lastDurableSeq(), "nothing after the failed fsync is published");
            assertEquals(4, readAll(spool).size());
        }
    }

    @Test
    void failedWriteFailsEveryPendingAppend() throws Exception {
        ChannelOpener failing = (path, options) -> new org.platewarden.testkit.FailingFileChannel(
                java.nio.channels.FileChannel.open(path, options), () -> false) {
            @Override
            public long write(java.nio.ByteBuffer[] srcs, int offset, int length) throws IOException {
                throw new IOException("disk gone");
            }
        };
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY, null, failing)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) futures.add(spool.append(batch("w" + i, 1)));
            for (CompletableFuture<Long> f : futures) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                assertInstanceOf(SpoolFailedException.class, e.getCause());
            }
            assertEquals(0, spool.lastDurableSeq());
        }
    }

    /**
     * A full disk used to fail the spool for good (the write hit ENOSPC), so ingest stayed 503 after
     * the disk was cleared, until a restart. A batch the disk has no room for is refused as full
     * before anything of it is written, and appends go on once there is room again.
     */
    @Test
    void aDiskWithoutRoomRefusesAppendsAsFullUntilSpaceIsFreed() throws Exception {
        java.util.concurrent.atomic.AtomicLong free = new java.util.concurrent.atomic.AtomicLong(1L << 30);
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY, null, ChannelOpener.DEFAULT, free::get)) {
            assertEquals(2, await(spool.append(batch("ok1", 2))));
            long sizeBefore = spool.sizeBytes();
            free.set(SpoolWriter.DISK_RESERVE_BYTES + 100);
            for (int i = 0; i < 3; i++) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> await(spool.append(batch("nospace", 2))));
                assertInstanceOf(SpoolFullException.class, e.getCause());
                assertTrue(e.getCause().getMessage().startsWith("disk full"), e.getCause().getMessage());
            }
            assertEquals(2, spool.lastDurableSeq(), "nothing of a refused batch is published");
            assertEquals(sizeBefore, spool.sizeBytes(), "a refused batch's bytes are given back");

            free.set(1L << 30);
            assertEquals(4, await(spool.append(batch("ok2", 2))), "the next append after space is freed is stored, with the next seq");
            assertEquals(4, readAll(spool).size());
        }
        // and what was stored survives a reopen, without a torn or quarantined frame
        try (SegmentedSpool reopened = SegmentedSpool.open(dir, ROOMY)) {
            assertEquals(4, reopened.lastDurableSeq());
            assertTrue(reopened.quarantined().isEmpty());
        }
    }

    /**
     * A checkpoint write that gets ENOSPC (as on a full disk) used to be logged and forgotten: the
     * segments of records already done kept their space until some later advance. The failure
     * leaves no checkpoint.tmp, the checkpoint and the segments as they were, and the same call
     * made again, with no append in between, persists it and frees the segments.
     */
    @Test
    void aCheckpointThatCannotBePersistedStaysWhereItWasAndTheSameCallLaterFreesTheSegments() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean noSpace = new java.util.concurrent.atomic.AtomicBoolean();
        ChannelOpener opener = (path, options) -> {
            java.nio.channels.FileChannel real = java.nio.channels.FileChannel.open(path, options);
            if (!path.getFileName().toString().startsWith("checkpoint")) return real;
            return new org.platewarden.testkit.FailingFileChannel(real, () -> false) {
                @Override
                public int write(java.nio.ByteBuffer src) throws IOException {
                    if (noSpace.get()) throw new IOException("No space left on device");
                    return super.write(src);
                }
            };
        };
        SpoolConfig config = new SpoolConfig(4096, 1024 * 1024, false, SpoolConfig.DEFAULT_GROUP_COMMIT_INTERVAL_MICROS);
        try (SegmentedSpool spool = SegmentedSpool.open(dir, config, null, opener, null)) {
            for (int i = 0; i < 40; i++) await(spool.append(batch("f" + i, 5)));
            List<Path> segments = spool.segmentFiles();
            long bytes = spool.sizeBytes();
            assertTrue(segments.size() > 3, segments.toString());

            noSpace.set(true);
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> spool.advanceCheckpoint(200));
            assertTrue(e.getMessage().contains("persisting spool checkpoint 200"), e.getMessage());
            assertEquals(0, spool.checkpoint());
            assertEquals(segments, spool.segmentFiles(), "nothing deleted behind a checkpoint that is not persisted");
            assertEquals(bytes, spool.sizeBytes());
            assertFalse(Files.exists(dir.resolve("checkpoint")));
            assertFalse(Files.exists(dir.resolve("checkpoint.tmp")), "a failed write leaves no empty temporary file");

            noSpace.set(false);
            spool.advanceCheckpoint(200);
            assertEquals(200, spool.checkpoint());
            assertEquals(1, spool.segmentFiles().size(), "every segment but the newest is behind 200");
            assertEquals(onDisk(), spool.sizeBytes());
            assertEquals(200, spool.lastDurableSeq(), "no append was needed");
        }
        try (SegmentedSpool reopened = SegmentedSpool.open(dir, config)) {
            assertEquals(200, reopened.checkpoint());
        }
    }

    /**
     * A segment behind a persisted checkpoint that cannot be deleted stays counted (its file still
     * takes the disk) and advanceCheckpoint says so; calling it again, even with the same seq,
     * deletes it. (A non-empty directory where the file was makes the delete fail, even as root.)
     */
    @Test
    void aSegmentThatCouldNotBeDeletedIsDeletedByTheNextCallWithTheSameSeq() throws Exception {
        SpoolConfig config = new SpoolConfig(4096, 1024 * 1024, false, SpoolConfig.DEFAULT_GROUP_COMMIT_INTERVAL_MICROS);
        try (SegmentedSpool spool = SegmentedSpool.open(dir, config)) {
            for (int i = 0; i < 40; i++) await(spool.append(batch("d" + i, 5)));
            List<Path> segments = spool.segmentFiles();
            long bytes = spool.sizeBytes();
            long oldest = Files.size(segments.get(0));
            Path stuck = segments.get(0);
            Files.delete(stuck);
            Files.createDirectory(stuck);
            Files.writeString(stuck.resolve("keep"), "x");

            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> spool.advanceCheckpoint(200));
            assertTrue(e.getMessage().contains("persisted, but deleting"), e.getMessage());
            assertEquals(200, spool.checkpoint(), "the checkpoint itself is persisted");
            assertEquals(bytes, spool.sizeBytes(), "nothing counted as freed while the oldest file is left");
            assertTrue(Files.exists(segments.get(1)), "the deletion stopped at the first failure");

            Files.delete(stuck.resolve("keep"));
            Files.delete(stuck);
            spool.advanceCheckpoint(200);
            assertEquals(List.of(segments.get(segments.size() - 1)), spool.segmentFiles());
            for (Path gone : segments.subList(0, segments.size() - 1)) assertFalse(Files.exists(gone), gone.toString());
            assertEquals(onDisk(), spool.sizeBytes());
            assertTrue(oldest > 0);
        }
    }

    /**
     * A failed checkpoint write (or a crash before its rename) can leave checkpoint.tmp, empty or
     * even whole: start-up goes by the checkpoint file alone, never the temporary one, and deletes
     * it; with no checkpoint file at all every record is delivered again, none reported lost.
     */
    @Test
    void aStaleCheckpointTempIsIgnoredAndDeletedAtOpen() throws Exception {
        SpoolConfig config = new SpoolConfig(4096, 1024 * 1024);
        try (SegmentedSpool spool = SegmentedSpool.open(dir, config)) {
            for (int i = 0; i < 40; i++) await(spool.append(batch("t" + i, 3)));
        }
        Files.write(dir.resolve("checkpoint.tmp"), new byte[0]);
        try (SegmentedSpool spool = SegmentedSpool.open(dir, config)) {
            assertEquals(0, spool.checkpoint(), "no checkpoint file: nothing is done yet");
            assertEquals(120, readAll(spool).size());
            assertTrue(spool.quarantined().isEmpty(), spool.quarantined().toString());
            assertFalse(Files.exists(dir.resolve("checkpoint.tmp")));
            spool.advanceCheckpoint(60);
            spool.advanceCheckpoint(90);
        }
        // a whole value in checkpoint.tmp (its rename never happened) is not taken either
        byte[] at90 = Files.readAllBytes(dir.resolve("checkpoint"));
        try (SegmentedSpool spool = SegmentedSpool.open(dir, config)) {
            spool.advanceCheckpoint(100);
        }
        Files.move(dir.resolve("checkpoint"), dir.resolve("checkpoint.tmp"));
        Files.write(dir.resolve("checkpoint"), at90);
        try (SegmentedSpool spool = SegmentedSpool.open(dir, config)) {
            assertEquals(90, spool.checkpoint(), "the checkpoint file says 90; the temporary file's 100 was never renamed");
            assertFalse(Files.exists(dir.resolve("checkpoint.tmp")));
            assertTrue(spool.quarantined().isEmpty(), spool.quarantined().toString());
            assertEquals(30, spool.read(90, 100).size());
        }
        // and an empty one beside a good checkpoint is as harmless
        Files.write(dir.resolve("checkpoint.tmp"), new byte[0]);
        try (SegmentedSpool spool = SegmentedSpool.open(dir, config)) {
            assertEquals(90, spool.checkpoint());
            spool.advanceCheckpoint(120);
            assertEquals(120, spool.checkpoint());
        }
    }

    /**
     * Readiness asks {@link Spool#diskFull}: it used to clear only when an append got through, so a
     * gateway taken out of a load balancer's rotation for it stayed out after the disk was freed.
     * The writer looks at the free space again on its own while the disk is full.
     */
    @Test
    void aFullDiskIsSeenToHaveRoomAgainWithoutAnAppend() throws Exception {
        java.util.concurrent.atomic.AtomicLong free = new java.util.concurrent.atomic.AtomicLong(1L << 30);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY, registry, ChannelOpener.DEFAULT, free::get)) {
            assertEquals(2, await(spool.append(batch("ok", 2))));
            assertFalse(spool.diskFull());
            free.set(SpoolWriter.DISK_RESERVE_BYTES + 100);
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(spool.append(batch("nospace", 2))));
            assertTrue(((SpoolFullException) e.getCause()).diskFull());
            assertTrue(spool.diskFull());
            assertEquals(1.0, registry.get("platewarden.spool.disk.full").gauge().value());
            Thread.sleep(SpoolWriter.DISK_RECHECK_MILLIS + 200);
            assertTrue(spool.diskFull(), "still no room: still full");

            free.set(1L << 30);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (spool.diskFull() && System.nanoTime() < deadline) Thread.sleep(20);
            assertFalse(spool.diskFull(), "room again, seen without an append");
            assertEquals(0.0, registry.get("platewarden.spool.disk.full").gauge().value());
            assertEquals(2, spool.lastDurableSeq());
            assertEquals(1, spool.appendCount());
        }
    }

    @Test
    void aQuietSpoolsNewestSegmentOfIndexedReadsIsRetiredAndDeletedNotKeptUntilASegmentsWorthMoreArrives() throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            await(spool.append(batch("old", 3)));
            spool.advanceCheckpoint(3);
            List<Path> before = spool.segmentFiles();
            assertEquals(1, before.size(), "the checkpoint alone keeps the newest segment, whose reads are all indexed");
            assertTrue(new String(Files.readAllBytes(before.get(0)), UTF_8).contains("old-0"));

            assertTrue(spool.retireDoneSegment());
            assertFalse(Files.exists(before.get(0)), "every record of the retired segment was done: it is deleted at once");
            assertEquals(1, spool.segmentFiles().size());
            assertFalse(spool.retireDoneSegment(), "an empty newest segment is left as it is: an idle spool makes no new files");

            assertEquals(5, await(spool.append(batch("new", 2))), "sequence numbers go on");
            assertEquals(new String(read("new-0"), UTF_8), text(spool.read(3, 10).get(0)));
        }
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            assertEquals(3, spool.checkpoint());
            assertEquals(5, spool.lastDurableSeq());
            assertEquals(2, spool.read(3, 10).size());
            assertTrue(spool.quarantined().isEmpty());
        }
    }

    @Test
    void aRetiredSegmentWithReadsStillToIndexIsKeptUntilTheCheckpointPassesThem() throws Exception {
        try (SegmentedSpool spool = SegmentedSpool.open(dir, ROOMY)) {
            assertFalse(spool.retireDoneSegment(), "no segment yet");
            await(spool.append(batch("a", 4)));
            assertFalse(spool.retireDoneSegment(), "no record of it is done yet: nothing would be deleted");
            assertEquals(1, spool.segmentFiles().size());

            spool.advanceCheckpoint(2);
            Path retired = spool.segmentFiles().get(0);
            assertTrue(spool.retireDoneSegment());
            assertTrue(Files.exists(retired), "reads 3 and 4 wait for the indexer");
            assertEquals(2, spool.read(2, 10).size());
            spool.advanceCheckpoint(4);
            assertFalse(Files.exists(retired), "the indexer's checkpoint deletes it once its last read is done");
            assertEquals(List.of(dir.resolve(Segment.fileName(5))), spool.segmentFiles());
        }
    }
}
