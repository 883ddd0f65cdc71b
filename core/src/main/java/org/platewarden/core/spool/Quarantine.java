package org.platewarden.core.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.platewarden.core.io.PrivateDirectory;

/**
 * Keeps the evidence of damaged spool data: a copy of the damaged bytes and a JSON note
 * (segment, offset, length, the sequence numbers lost, why) in {@code <spool>/quarantine/},
 * and an ERROR log line. The same damage found again on a later open is reported again but
 * its files are not rewritten.
 */
final class Quarantine {
    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    Quarantine(Path spoolDir) {
        this.dir = SegmentedSpool.quarantineDirectory(spoolDir);
    }

    /** Records damaged bytes {@code [offset, offset + length)} of a segment (length 0 = a pure sequence gap). */
    QuarantinedRange record(Path segment, ByteBuffer segmentBytes, long offset, long length,
                            long firstLostSeq, long lastLostSeq, String reason) throws IOException {
        String segmentName = segment.getFileName().toString();
        String base = segmentName.replace(".log", "") + (length > 0 ? "-at-" + offset : "-gap-" + firstLostSeq);
        Path bytesFile = length > 0 ? dir.resolve(base + ".bin") : null;
        Path note = dir.resolve(base + ".json");
        boolean known = Files.exists(note);
        if (!known) {
            PrivateDirectory.create(dir);
            if (bytesFile != null) {
                ByteBuffer damaged = segmentBytes.duplicate();
                damaged.limit((int) (offset + length)).position((int) offset);
                writeDurably(bytesFile, damaged);
            }
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("segment", segmentName);
            n.put("offset", offset);
            n.put("length", length);
            n.put("first_lost_seq", firstLostSeq);
            n.put("last_lost_seq", lastLostSeq);
            n.put("records_lost", Math.max(0, lastLostSeq - firstLostSeq + 1));
            n.put("reason", reason);
            n.put("bytes_file", bytesFile == null ? null : bytesFile.getFileName().toString());
            n.put("detected_at", Instant.now().toString());
            writeDurably(note, ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n)));
        }
        LOG.error("spool damage {}in {} at offset {} ({} bytes): {}; records {}..{} lost ({}); evidence in {}",
                known ? "(already quarantined) " : "", segmentName, offset, length, reason,
                firstLostSeq, lastLostSeq, Math.max(0, lastLostSeq - firstLostSeq + 1), note);
        return new QuarantinedRange(segmentName, offset, length, firstLostSeq, lastLostSeq, reason, bytesFile);
    }

    private static void writeDurably(Path target, ByteBuffer content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (content.hasRemaining()) ch.write(content);
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Fsync.directory(target.getParent());
    }
}
