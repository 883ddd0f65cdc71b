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
 * in the file of its {@link DeadLetter#fileDay}: the earlier of the day it is written and its read's
 * capture day when it keeps a payload, so an old day's file may still be appended to (never one past
 * retention: a letter whose read's day expired before it was written loses its payload first,
 * {@link DeadLetter#withinRetention}, and is filed by today). The letters of one append may belong
 * in several files: each is written and fsynced once, and the future fails if any of them fails. Writes run on
 * one owned thread with a bounded queue: when it is full the append fails, and the caller must
 * refuse the read rather than drop the dead letter. Nothing is kept in memory: a dead letter may
 * hold a plate, and only its file, which {@code LocalFileRetention} deletes once its day has
 * expired, may keep it. {@link #fileName} and {@link #day} are the naming both sides share.
 */
public final class DeadLetterStore implements AutoCloseable {
    private final Path dir;
    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final ExecutorService writer;
    private final AtomicLong total = new AtomicLong();
    private final int retentionDays;
    private final Clock clock;

    /** A store that files letters as they are built, without checking their read's retention (tests). */
    public DeadLetterStore(Path dir) {
        this(dir, 0, Clock.systemUTC());
    }

    /**
     * @param retentionDays a letter that keeps a payload of a read whose day is past this many days when
     *                      it is written is written without it ({@link DeadLetter#withinRetention}); 0: not checked
     */
    public DeadLetterStore(Path dir, int retentionDays, Clock clock) {
        this.dir = dir;
        this.retentionDays = retentionDays;
        this.clock = clock;
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
        // in the order given within each file; one write and one fsync per file touched
        Map<Path, StringBuilder> byFile = new LinkedHashMap<>();
        try {
            for (DeadLetter l : letters) {
                DeadLetter kept = retentionDays > 0 ? l.withinRetention(retentionDays, now) : l;
                byFile.computeIfAbsent(dir.resolve(fileName(kept.fileDay())), f -> new StringBuilder())
                        .append(mapper.writeValueAsString(kept)).append('\n');
            }
            for (Map.Entry<Path, StringBuilder> e : byFile.entrySet()) {
                try (FileChannel ch = FileChannel.open(e.getKey(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    ByteBuffer buf = ByteBuffer.wrap(e.getValue().toString().getBytes(StandardCharsets.UTF_8));
                    while (buf.hasRemaining()) ch.write(buf);
                    ch.force(false);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("dead-letter write to " + dir + " failed: " + e, e);
        }
        total.addAndGet(letters.size());
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
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
