package org.platewarden.core.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.spool.SegmentedSpool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention rule for what a node keeps on its own disk, besides the spool: dead-letter files
 * and the spool's quarantine both may hold plate reads, so both go when the reads would. A file of
 * UTC day D is deleted once D + {@code retention_days} has begun ({@link DailyIndex#isExpired}, the
 * rule of the daily read indices): a dead-letter file by the day in its name (the earlier of the day
 * its letters were written and their reads' capture day, {@code DeadLetter#fileDay}, so a plate goes
 * when its read's day does; the store writes no payload into a file already past retention, and a
 * letter without payload goes in today's file, never expired), a quarantine file by the day of its
 * modification time (written once, when the damage was found).
 * The audit journal, its torn tails included, is audit material and is never looked at here.
 *
 * <p>The spool's segments are deleted by its checkpoint, but only once a newer segment exists; a
 * pass also has a node's spool retire its newest segment when that holds reads already done
 * ({@link SegmentedSpool#retireDoneSegment}), so an indexed read stays in the spool about one
 * interval, not until a segment's worth more reads arrive.
 *
 * <p>{@link #start} runs a pass now and then every interval on a thread of its own (file I/O
 * blocks). Each deletion is an INFO line with the file and what it held; a file that cannot be
 * deleted is a WARN naming it, is counted, and is tried again next pass: a pass goes on to the next
 * file, and nothing stops the node or the schedule.
 */
public final class LocalFileRetention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFileRetention.class);

    private final Path deadLetterDir;
    private final Path quarantineDir;
    private final int retentionDays;
    /** The node's spool; null on a node without one (search only). */
    private final SegmentedSpool spool;
    private final Clock clock;
    private final Counter deadLettersDeleted;
    private final Counter quarantineDeleted;
    private final Counter deadLetterFailures;
    private final Counter quarantineFailures;
    private ScheduledThreadPoolExecutor timer;

    /** What one pass deleted and what it could not. */
    public record Pass(List<Path> deleted, List<Path> failed) {
    }

    /**
     * @param registry where the counters go; null for none (tests)
     */
    public LocalFileRetention(Path deadLetterDir, Path quarantineDir, int retentionDays, Clock clock, MeterRegistry registry) {
        this(deadLetterDir, null, quarantineDir, retentionDays, clock, registry);
    }

    /**
     * @param spool the node's spool, whose done segment each pass retires; null on a node without one
     * @param registry where the counters go; null for none (tests)
     */
    public LocalFileRetention(Path deadLetterDir, SegmentedSpool spool, Path quarantineDir, int retentionDays, Clock clock,
                              MeterRegistry registry) {
        if (retentionDays < 1) throw new IllegalArgumentException("retentionDays must be >= 1");
        this.deadLetterDir = deadLetterDir;
        this.spool = spool;
        this.quarantineDir = quarantineDir;
        this.retentionDays = retentionDays;
        this.clock = clock;
        this.deadLettersDeleted = counter(registry, "platewarden.deadletter.files.deleted", "dead-letter files deleted past retention");
        this.quarantineDeleted = counter(registry, "platewarden.spool.quarantine.files.deleted", "spool quarantine files deleted past retention");
        this.deadLetterFailures = counter(registry, "platewarden.deadletter.files.delete.failed", "failed deletions of expired dead-letter files (retried next pass)");
        this.quarantineFailures = counter(registry, "platewarden.spool.quarantine.files.delete.failed", "failed deletions of expired spool quarantine files (retried next pass)");
    }

    private static Counter counter(MeterRegistry registry, String name, String description) {
        return registry == null ? null : Counter.builder(name).description(description).register(registry);
    }

    /** Runs a pass now and then every {@code interval} after the previous one ended, on a daemon thread of its own. */
    public synchronized void start(Duration interval) {
        if (timer != null) throw new IllegalStateException("already started");
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "local-file-retention");
            t.setDaemon(true);
            return t;
        });
        // a task that throws is never run again by the executor: runOnce catches what it can, and this the rest
        timer.scheduleWithFixedDelay(() -> {
            try {
                runOnce();
            } catch (Throwable e) {
                LOG.warn("local retention pass failed, next in {}: {}", interval, e.toString());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("dead letters in {} and spool quarantine in {} are deleted {} days after their UTC day, checked every {}{}",
                deadLetterDir, quarantineDir, retentionDays, interval,
                spool == null ? "" : "; spool segments whose reads are done are retired as often");
    }

    /** One pass on the caller's thread (blocking). */
    public Pass runOnce() {
        Instant now = clock.instant();
        List<Path> deleted = new ArrayList<>();
        List<Path> failed = new ArrayList<>();
        for (Path file : list(deadLetterDir)) {
            Optional<LocalDate> day = DeadLetterStore.day(file.getFileName().toString());
            if (day.isEmpty() || !DailyIndex.isExpired(day.get(), retentionDays, now)) continue;
            String lines = lines(file);
            if (delete(file, failed, deadLetterFailures, "dead-letter")) {
                deleted.add(file);
                if (deadLettersDeleted != null) deadLettersDeleted.increment();
                LOG.info("deleted dead-letter file {} ({} lines): its day {} passed the {}-day retention at {}",
                        file, lines, day.get(), retentionDays, DailyIndex.expiresAt(day.get(), retentionDays));
            }
        }
        for (Path file : list(quarantineDir)) {
            LocalDate day;
            long bytes;
            try {
                if (!Files.isRegularFile(file)) continue;
                day = DailyIndex.day(Files.getLastModifiedTime(file).toInstant());
                bytes = Files.size(file);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                warn(failed, quarantineFailures, "spool quarantine", file, e);
                continue;
            }
            if (!DailyIndex.isExpired(day, retentionDays, now)) continue;
            if (delete(file, failed, quarantineFailures, "spool quarantine")) {
                deleted.add(file);
                if (quarantineDeleted != null) quarantineDeleted.increment();
                LOG.info("deleted spool quarantine file {} ({} bytes): written {}, past the {}-day retention at {}",
                        file, bytes, day, retentionDays, DailyIndex.expiresAt(day, retentionDays));
            }
        }
        retireSpoolSegment(deleted, failed);
        return new Pass(deleted, failed);
    }

    /** Has the spool start a new segment if its newest holds done reads, and adds the segment files that went to {@code deleted}. */
    private void retireSpoolSegment(List<Path> deleted, List<Path> failed) {
        if (spool == null) return;
        List<Path> before = spool.segmentFiles();
        try {
            if (!spool.retireDoneSegment()) return;
        } catch (RuntimeException e) {
            failed.add(before.get(before.size() - 1));
            LOG.warn("cannot retire the spool's newest segment, trying again next pass: {}", e.toString());
            return;
        }
        List<Path> gone = before.stream().filter(file -> !Files.exists(file)).toList();
        deleted.addAll(gone);
        LOG.info("spool: started a new segment, so the reads already indexed or dead-lettered in the one before are deleted with it;"
                + " {} segment file(s) deleted now{}", gone.size(), gone.isEmpty() ? " (the rest once the indexer has done their reads)" : "");
    }

    /** The directory's entries, sorted; none when it does not exist (no dead letter or damage yet). */
    private List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            LOG.warn("cannot list {} for retention, trying again next pass: {}", dir, e.toString());
            return List.of();
        }
    }

    private boolean delete(Path file, List<Path> failed, Counter failures, String what) {
        try {
            Files.deleteIfExists(file);
            return true;
        } catch (IOException | RuntimeException e) {
            warn(failed, failures, what, file, e);
            return false;
        }
    }

    private static void warn(List<Path> failed, Counter failures, String what, Path file, Exception e) {
        failed.add(file);
        if (failures != null) failures.increment();
        LOG.warn("cannot delete expired {} file {}, trying again next pass: {}", what, file, e.toString());
    }

    /** Its line count, for the log; "unknown" when it cannot be read (deleting it is still tried). */
    private static String lines(Path file) {
        if (!Files.isRegularFile(file)) return "unknown";
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buf)) > 0; ) {
                for (int i = 0; i < r; i++) if (buf[i] == '\n') n++;
            }
            return Long.toString(n);
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public synchronized void close() {
        if (timer == null) return;
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
