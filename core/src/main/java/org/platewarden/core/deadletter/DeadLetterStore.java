package org.platewarden.core.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.platewarden.core.io.PrivateDirectory;

/**
 * Append-only dead-letter files, one NDJSON file per UTC day under {@code <data_dir>/deadletter/}
 * ({@code deadletter-YYYY-MM-DD.ndjson}), fsynced before the returned future completes. A letter goes
 * in the file of its {@link DeadLetter#fileDay}: the earlier of the day it is made and its read's
 * capture day when it keeps a payload, so an old day's file may still be appended to (never one past
 * retention: a letter whose read's day expired before it was written loses its payload first,
 * {@link DeadLetter#withinRetention}, and is filed by today). The letters of one append may belong
 * in several files: each is written and fsynced once, and the future fails if any of them fails. Writes run on
 * one owned thread with a bounded queue: when it is full the append fails, and the caller must
 * refuse the read rather than drop the dead letter. Nothing is kept in memory: a dead letter may
 * hold a plate, and only its file, which {@code LocalFileRetention} deletes once its day has
 * expired, may keep it. {@link #fileName} and {@link #day} are the naming both sides share.
 *
 * <p>Each camera may have {@code maxBytesPerCameraPerDay} bytes of letters written per UTC day (the
 * day they are written, whatever file they go in): a camera sending wrong reads in bulk wrote 20 MB/s
 * of them, kept for 21 days on the disk the audit journal needs. Past it, the camera's letters are
 * not written (the append still succeeds: the read is refused with its reason as before, the camera
 * is told), counted ({@code platewarden_deadletter_not_kept_total}), and the camera's first letter
 * over the quota that day is replaced by one that says the quota was reached; how many were not kept
 * is written as one more letter when the day closes (the store's first write after midnight) or the
 * store closes. A crash loses that count (the metric and the notice remain). The byte counts live in
 * memory, but a new store first restores each camera's bytes of today from the files
 * ({@link QuotaRestore}, on the writer thread before any write), so a restart (or a crash loop) does
 * not give every camera its quota afresh (a letter written on another UTC day than it was made carries
 * {@code written_at}, {@link DeadLetter#asWrittenAt}, so the count knows the day it counted against); a camera's notice of today is not written again, and each
 * run that left letters out writes its own count. These quota letters hold no plate and do not count
 * against the quota.
 */
public final class DeadLetterStore implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeadLetterStore.class);
    private final Path dir;
    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final ExecutorService writer;
    private final AtomicLong total = new AtomicLong();
    private final int retentionDays;
    private final Clock clock;
    /** 0: no quota */
    private final long maxBytesPerCameraPerDay;
    /** Each camera's letters of the current day; touched only on the writer thread. */
    private final Map<String, Quota> quotas = new java.util.HashMap<>();
    /** files whose end this process has seen whole (written by it, or checked): the writer thread's own */
    private final java.util.Set<Path> tailChecked = new java.util.HashSet<>();
    private final AtomicLong notKept = new AtomicLong();
    /** Set by {@link #close}: a restore still scanning stops. */
    private volatile boolean stopping;
    /** The stage quota letters carry. */
    public static final String QUOTA_STAGE = "deadletter-store";
    /** The reason code of quota letters. */
    public static final String QUOTA_REASON = "deadletter_quota";

    /** A store that files letters as they are built, without checking their read's retention (tests). */
    public DeadLetterStore(Path dir) {
        this(dir, 0, Clock.systemUTC());
    }

    /** Without a per-camera quota. */
    public DeadLetterStore(Path dir, int retentionDays, Clock clock) {
        this(dir, retentionDays, clock, 0, null);
    }

    /**
     * @param retentionDays a letter that keeps a payload of a read whose day is past this many days when
     *                      it is written is written without it ({@link DeadLetter#withinRetention}); 0: not checked
     */
    public DeadLetterStore(Path dir, int retentionDays, Clock clock, long maxBytesPerCameraPerDay, io.micrometer.core.instrument.MeterRegistry registry) {
        this.dir = dir;
        this.retentionDays = retentionDays;
        this.clock = clock;
        this.maxBytesPerCameraPerDay = maxBytesPerCameraPerDay;
        if (registry != null) {
            io.micrometer.core.instrument.FunctionCounter.builder("platewarden.deadletter.not.kept", notKept, AtomicLong::get)
                    .description("dead letters not written: their camera had reached deadletter.max_bytes_per_camera_per_day").register(registry);
        }
        try {
            PrivateDirectory.create(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create dead-letter directory " + dir, e);
        }
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, "deadletter-writer");
            t.setDaemon(true);
            return t;
        });
        // first on the writer thread: every write queues behind it, and no caller's thread (an event loop) waits
        if (maxBytesPerCameraPerDay > 0) writer.execute(this::restoreQuotas);
    }

    /** Each camera's bytes of today already on disk (a restart must not give them their quota afresh). */
    private void restoreQuotas() {
        long t0 = System.nanoTime();
        LocalDate today = org.platewarden.core.index.DailyIndex.day(clock.instant());
        QuotaRestore.Result r;
        try {
            r = QuotaRestore.scan(dir, today, retentionDays, () -> stopping);
        } catch (IOException | RuntimeException e) {
            LOG.warn("dead-letter quota: the letters of {} in {} could not be read ({}); every camera starts the day's quota afresh",
                    today, dir, e.toString());
            return;
        }
        r.bytes().forEach((camera, bytes) -> quotas.computeIfAbsent(camera, c -> new Quota(today)).bytes += bytes);
        r.noticed().forEach(camera -> quotas.computeIfAbsent(camera, c -> new Quota(today)).noticed = true);
        if (r.files() > 0) {
            LOG.info("dead-letter quota: {} bytes of letters of {} counted against {} camera(s) ({} of them told already they reached it)"
                    + " from {} file(s), {} bytes read in {} ms",
                    r.bytes().values().stream().mapToLong(Long::longValue).sum(), today, r.bytes().size(),
                    r.noticed().size(), r.files(), r.bytesRead(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
        if (r.unreadableLines() > 0) {
            LOG.warn("dead-letter quota: {} line(s) in {} could not be read whole (a tail torn by a crash?); {} bytes of them named no camera"
                    + " and count against none", r.unreadableLines(), dir, r.unattributedBytes());
        }
    }

    public Path directory() {
        return dir;
    }

    /** Completes once the entry is fsynced; fails if the store is overloaded or the disk write fails. */
    public CompletableFuture<Void> append(DeadLetter letter) {
        return appendAll(List.of(letter));
    }

    public CompletableFuture<Void> appendAll(List<DeadLetter> letters) {
        if (letters.isEmpty()) return CompletableFuture.completedFuture(null);
        try {
            return CompletableFuture.runAsync(() -> write(letters), writer);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("dead-letter store overloaded", e));
        }
    }

    private void write(List<DeadLetter> letters) {
        Instant now = clock.instant();
        LocalDate today = org.platewarden.core.index.DailyIndex.day(now);
        // in the order given within each file; one write and one fsync per file touched
        Map<Path, StringBuilder> byFile = new LinkedHashMap<>();
        try {
            for (DeadLetter closed : closeDays(today, now, false)) add(byFile, closed, mapper.writeValueAsString(closed));
            for (DeadLetter l : letters) {
                // written_at for a letter held back over midnight: a restart counts it by the day it is counted here
                DeadLetter kept = (retentionDays > 0 ? l.withinRetention(retentionDays, now) : l).asWrittenAt(now);
                String line = mapper.writeValueAsString(kept);
                DeadLetter notice = overQuota(kept, line, today, now);
                if (notice == NOT_KEPT) continue;
                if (notice != null) add(byFile, notice, mapper.writeValueAsString(notice));
                else add(byFile, kept, line);
            }
            for (Map.Entry<Path, StringBuilder> e : byFile.entrySet()) {
                if (!tailChecked.contains(e.getKey()) && endsTorn(e.getKey())) e.getValue().insert(0, '\n');
                try (FileChannel ch = FileChannel.open(e.getKey(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    ByteBuffer buf = ByteBuffer.wrap(e.getValue().toString().getBytes(StandardCharsets.UTF_8));
                    tailChecked.remove(e.getKey()); // until this write is whole: a failure part-way leaves a torn line
                    while (buf.hasRemaining()) ch.write(buf);
                    ch.force(false);
                    tailChecked.add(e.getKey());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("dead-letter write to " + dir + " failed: " + e, e);
        }
        total.addAndGet(letters.size());
    }

    /**
     * Whether the file ends inside a line: a crash (or a failed write) cut its last letter short. The
     * next letter then starts on a line of its own, so the torn one spoils no other: each line of a
     * dead-letter file stays one letter for whoever reads it (jq, {@link #readAll}).
     */
    private static boolean endsTorn(Path file) throws IOException {
        if (!Files.exists(file)) return false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer last = ByteBuffer.allocate(1);
            return size > 0 && ch.read(last, size - 1) == 1 && last.get(0) != '\n';
        }
    }

    private void add(Map<Path, StringBuilder> byFile, DeadLetter letter, String line) {
        byFile.computeIfAbsent(dir.resolve(fileName(letter.fileDay())), f -> new StringBuilder()).append(line).append('\n');
    }

    /** Marks a letter {@link #overQuota} drops. */
    private static final DeadLetter NOT_KEPT = new DeadLetter(Instant.EPOCH, "", null, null, null, "", null, null, null, false);

    /**
     * Counts the letter against its camera's quota of {@code today}: null to write it, {@link #NOT_KEPT}
     * to drop it, or the notice to write instead when it is the camera's first letter over the quota today.
     */
    private DeadLetter overQuota(DeadLetter letter, String line, LocalDate today, Instant now) {
        if (maxBytesPerCameraPerDay <= 0 || letter.cameraId() == null || QUOTA_STAGE.equals(letter.stage())) return null;
        Quota q = quotas.computeIfAbsent(letter.cameraId(), c -> new Quota(today));
        long size = line.getBytes(StandardCharsets.UTF_8).length + 1L;
        // once the notice says "from this one on not kept", a smaller letter that would still fit is not kept either
        if (!q.noticed && q.bytes + size <= maxBytesPerCameraPerDay) {
            q.bytes += size;
            return null;
        }
        notKept.incrementAndGet();
        q.notKept++;
        if (q.noticed) return NOT_KEPT;
        q.noticed = true;
        return quotaLetter(now, letter.cameraId(), reachedPrefix(letter.cameraId()) + maxBytesPerCameraPerDay
                + " bytes of dead letters for " + today + " (deadletter.max_bytes_per_camera_per_day); its refused reads are still refused"
                + " with their reason, but from this one on not kept here until the day ends; how many is written when the day closes"
                + " or the node stops");
    }

    /**
     * The quota letters of the days before {@code today} (or, at close, of today too): one per camera
     * that had letters not kept, with their count. Those days' counts are then forgotten.
     */
    private List<DeadLetter> closeDays(LocalDate today, Instant now, boolean closing) {
        List<DeadLetter> out = new ArrayList<>();
        for (var it = quotas.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Quota> e = it.next();
            Quota q = e.getValue();
            if (!closing && q.day.equals(today)) continue;
            if (q.notKept > 0) {
                out.add(quotaLetter(now, e.getKey(), QUOTA_REASON + ": " + q.notKept + " dead letter(s) of camera " + e.getKey() + " on " + q.day
                        + (closing && q.day.equals(today) ? " (until the node stopped)" : "")
                        + " were not kept: over its " + maxBytesPerCameraPerDay + " bytes of dead letters per day"));
            }
            it.remove();
        }
        return out;
    }

    /** How the letter saying a camera reached its quota begins (read back at start-up). */
    static String reachedPrefix(String cameraId) {
        return QUOTA_REASON + ": camera " + cameraId + " reached its ";
    }

    private static DeadLetter quotaLetter(Instant now, String cameraId, String reason) {
        return new DeadLetter(now, QUOTA_STAGE, cameraId, null, null, reason, null, null, null, false);
    }

    /** How many letters were not written for their camera's quota since start. */
    public long notKept() {
        return notKept.get();
    }

    /** One camera's letters of one day. */
    private static final class Quota {
        final LocalDate day;
        long bytes;
        long notKept;
        /** whether the letter saying the quota was reached is written (by this run, or by an earlier one today) */
        boolean noticed;

        Quota(LocalDate day) {
            this.day = day;
        }
    }

    /** {@code deadletter-YYYY-MM-DD.ndjson}: the file of UTC day {@code day}. */
    public static String fileName(LocalDate day) {
        return "deadletter-" + day + ".ndjson";
    }

    /** The UTC day a dead-letter file holds, if the name is one of ours. */
    public static Optional<LocalDate> day(String fileName) {
        if (!fileName.startsWith("deadletter-") || !fileName.endsWith(".ndjson")) return Optional.empty();
        try {
            return Optional.of(LocalDate.parse(fileName.substring("deadletter-".length(), fileName.length() - ".ndjson".length())));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Reads every dead letter on disk (for ops and tests; files are bounded by {@code LocalFileRetention}). */
    public List<DeadLetter> readAll() {
        List<DeadLetter> out = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".ndjson")).sorted().toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) out.add(mapper.readValue(line, DeadLetter.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public long writtenSinceStart() {
        return total.get();
    }

    @Override
    public void close() {
        stopping = true;
        if (maxBytesPerCameraPerDay > 0) {
            // the counts of letters not kept, before the writer stops (a full queue: they are lost, as in a crash)
            try {
                writer.execute(() -> {
                    Instant now = clock.instant();
                    List<DeadLetter> counts = closeDays(org.platewarden.core.index.DailyIndex.day(now), now, true);
                    if (!counts.isEmpty()) write(counts);
                });
            } catch (RejectedExecutionException e) {
                // closed already, or full
            }
        }
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
