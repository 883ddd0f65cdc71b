package org.platewarden.core.deadletter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.platewarden.core.index.DailyIndex;

/**
 * What each camera's letters written today already take on disk, so that a restart does not give
 * every camera its {@code deadletter.max_bytes_per_camera_per_day} afresh (a camera, or a
 * crash-looping node, could otherwise write that much again after every start).
 *
 * <p>Which letters: those written on {@code today} (UTC), the day the quota counted them against: a
 * letter's {@code written_at} when it has one (the store adds it to a letter it writes on another day
 * than the letter was made, {@link DeadLetter#asWrittenAt}: held back by the indexer's retries while the
 * disk failed, or made just before midnight), else its {@code at}. Quota letters count against no camera
 * (as when written), but a camera's "reached its quota" letter of today is remembered, so it is not
 * written a second time after the restart.
 *
 * <p>Where: a letter is filed by the day it was made, or by its read's capture day when that is earlier
 * and it keeps a payload ({@link DeadLetter#fileDay}); an older read's payload is not kept
 * ({@link DeadLetter#withinRetention}), so only the files {@code today - retentionDays .. today} can
 * hold letters written today, and only they are read (every file up to today when retention is not
 * checked, {@code retentionDays} 0; a letter made more than {@code retentionDays} before it was
 * written would be missed, in a file past retention and soon deleted). Files are appended in the order
 * letters are written, whatever their {@code at} (one writer thread; each run appends after the last),
 * so a file's letters written today are its tail: each file is read backwards, line by line, and left
 * at the first letter written before today. So the scan reads what today's letters take —
 * bounded by the quotas (every camera's at most; quota letters and letters naming no camera aside) —
 * plus one earlier line per file (and the rest of the {@code CHUNK} it is in); only the lines' first
 * {@link #PREFIX_BYTES} are parsed ({@code at}, {@code written_at}, {@code stage}, {@code camera_id}
 * come first). What this rests on: a clock that does not step back over midnight between two writes,
 * and one writer per file (two nodes on one data directory may interleave a letter written just before
 * midnight after another's first letter of the day, which then ends the count early by the letters of
 * that instant); a letter written late by a version before {@code written_at} ends the count of its
 * file too (the day of an upgrade only).
 *
 * <p>A line that cannot be parsed — a tail torn by a crash in the middle of a write, or such a tail
 * with the next start's first letter appended to it — counts against the camera it names when its
 * write day (today) and {@code camera_id} can be read from its start (a tear is nearly always in the
 * payload, after them): its bytes are on the disk, and a camera must not win bytes back by crashing the
 * node. Otherwise it counts against no camera and is reported in {@link Result#unreadableLines}; it
 * never stops the scan (one cut before its {@code stage} may have lost its {@code written_at}, so its
 * day is not known).
 */
final class QuotaRestore {
    /** How much of each line is parsed; the fields the scan needs come first. */
    static final int PREFIX_BYTES = 16 * 1024;
    private static final int CHUNK = 64 * 1024;
    private static final JsonFactory JSON = new JsonFactory();

    /**
     * @param bytes           per camera, the bytes (with the newline) of its letters of today
     * @param noticed         the cameras whose "reached its quota" letter of today is on disk
     * @param unreadableLines lines whose start could not be parsed into a camera and a time of today; their bytes count against no camera
     * @param unattributedBytes the bytes of those lines
     * @param files           files read
     * @param bytesRead       bytes read from them
     */
    record Result(Map<String, Long> bytes, Set<String> noticed, int unreadableLines, long unattributedBytes, int files, long bytesRead) {
    }

    private final Path dir;
    private final LocalDate today;
    private final int retentionDays;
    private final BooleanSupplier stop;
    private final Map<String, Long> bytes = new HashMap<>();
    private final Set<String> noticed = new HashSet<>();
    private int unreadable;
    private long unattributed;
    private int files;
    private long read;

    private QuotaRestore(Path dir, LocalDate today, int retentionDays, BooleanSupplier stop) {
        this.dir = dir;
        this.today = today;
        this.retentionDays = retentionDays;
        this.stop = stop;
    }

    /**
     * Reads the letters written on {@code today} in {@code dir}. {@code stop} is asked between lines (the
     * store is closing). A file that vanishes meanwhile (deleted past retention) is skipped.
     */
    static Result scan(Path dir, LocalDate today, int retentionDays, BooleanSupplier stop) throws IOException {
        QuotaRestore scan = new QuotaRestore(dir, today, retentionDays, stop);
        for (Path file : scan.candidates()) {
            if (stop.getAsBoolean()) break;
            try {
                scan.readBackwards(file);
            } catch (NoSuchFileException gone) {
                // deleted by LocalFileRetention meanwhile: it held no letter of today
            }
        }
        return new Result(Map.copyOf(scan.bytes), Set.copyOf(scan.noticed), scan.unreadable, scan.unattributed, scan.files, scan.read);
    }

    /** The files that can hold letters written today: of today, or of a day still within retention. */
    private List<Path> candidates() throws IOException {
        LocalDate oldest = retentionDays > 0 ? today.minusDays(retentionDays) : LocalDate.MIN;
        List<Path> out = new ArrayList<>();
        try (var list = Files.list(dir)) {
            for (Path f : (Iterable<Path>) list::iterator) {
                DeadLetterStore.day(f.getFileName().toString())
                        .filter(d -> !d.isAfter(today) && !d.isBefore(oldest))
                        .ifPresent(d -> out.add(f));
            }
        }
        out.sort(null);
        return out;
    }

    /** From the end of the file back to its first line, or to the first letter written before today. */
    private void readBackwards(Path file) throws IOException {
        files++;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = ch.size();
            long lineEnd = pos; // the end (exclusive, before its newline) of the line being found
            boolean newline = false; // whether that line ends with a newline (not: a torn last line)
            byte[] chunk = new byte[CHUNK];
            int n = 0; // how many bytes of chunk hold the file's from pos
            while (pos > 0) {
                n = (int) Math.min(CHUNK, pos);
                pos -= n;
                readFully(ch, chunk, n, pos);
                read += n;
                for (int i = n - 1; i >= 0; i--) {
                    if (chunk[i] != '\n') continue;
                    long start = pos + i + 1;
                    if (start < lineEnd || newline) {
                        if (!line(ch, chunk, pos, n, start, lineEnd, newline)) return;
                    }
                    lineEnd = pos + i;
                    newline = true;
                }
                if (stop.getAsBoolean()) return;
            }
            if (lineEnd > 0 || newline) line(ch, chunk, 0, n, 0, lineEnd, newline);
        }
    }

    /**
     * One line {@code [start, end)} (plus its newline when {@code newline}), whose first bytes are in
     * {@code chunk} (the file's bytes from {@code chunkPos}, {@code chunkLen} of them) when they fit there.
     * Returns false when the file need not be read further back.
     */
    private boolean line(FileChannel ch, byte[] chunk, long chunkPos, int chunkLen, long start, long end, boolean newline) throws IOException {
        long onDisk = end - start + (newline ? 1 : 0);
        if (end == start) return true; // an empty line: nothing the store writes
        int prefix = (int) Math.min(PREFIX_BYTES, end - start);
        byte[] buf;
        int off;
        if (start >= chunkPos && start + prefix <= chunkPos + chunkLen) {
            buf = chunk;
            off = (int) (start - chunkPos);
        } else {
            buf = new byte[prefix];
            off = 0;
            readFully(ch, buf, prefix, start);
        }
        Fields f = Fields.parse(buf, off, prefix);
        if (f.at == null || f.stage == null) {
            // no time, or cut before stage: a written_at between them may be lost, so its day is not known
            unreadable(onDisk);
            return true;
        }
        LocalDate written = DailyIndex.day(f.writtenAt != null ? f.writtenAt : f.at);
        if (written.isBefore(today)) return false; // and so was every letter before it in this file
        if (!written.equals(today)) return true; // written after today (by a clock set back since): not today's
        if (DeadLetterStore.QUOTA_STAGE.equals(f.stage)) {
            if (f.camera != null && f.reason != null && f.reason.startsWith(DeadLetterStore.reachedPrefix(f.camera))) noticed.add(f.camera);
            return true;
        }
        if (f.camera != null) {
            bytes.merge(f.camera, onDisk, Long::sum);
            if (!f.complete) unreadable++; // recovered: counted against the camera it names
        } else if (!f.complete) {
            unreadable(onDisk);
        }
        return true;
    }

    private void unreadable(long onDisk) {
        unreadable++;
        unattributed += onDisk;
    }

    private static void readFully(FileChannel ch, byte[] into, int n, long at) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(into, 0, n);
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) throw new IOException("file shrank while read");
        }
    }

    /**
     * The fields of a letter's line the quota needs. {@code complete}: the line's start parsed as a
     * letter up to every needed field, or to its end (a letter without {@code camera_id} has none).
     */
    private record Fields(Instant at, Instant writtenAt, String stage, String camera, String reason, boolean complete) {
        static Fields parse(byte[] buf, int off, int len) {
            String at = null;
            String writtenAt = null;
            String stage = null;
            String camera = null;
            String reason = null;
            boolean complete = false;
            try (JsonParser p = JSON.createParser(buf, off, len)) {
                if (p.nextToken() == JsonToken.START_OBJECT) {
                    JsonToken t;
                    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonToken value = p.nextToken();
                        String text = value == JsonToken.VALUE_STRING ? p.getText() : null;
                        switch (name) {
                            case "at" -> at = text;
                            case "written_at" -> writtenAt = text;
                            case "stage" -> stage = text;
                            case "camera_id" -> camera = text;
                            case "reason" -> reason = text;
                            default -> p.skipChildren();
                        }
                        if (at != null && stage != null && camera != null && (reason != null || !DeadLetterStore.QUOTA_STAGE.equals(stage))) {
                            complete = true;
                            break;
                        }
                    }
                    complete |= t == JsonToken.END_OBJECT;
                }
            } catch (IOException torn) {
                // cut off (a torn line, or one longer than the prefix read): what was read stands
            }
            return new Fields(instant(at), instant(writtenAt), stage, camera, reason, complete);
        }

        private static Instant instant(String at) {
            if (at == null) return null;
            try {
                return Instant.parse(at);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }
}
