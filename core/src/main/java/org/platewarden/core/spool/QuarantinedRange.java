package org.platewarden.core.spool;

import java.nio.file.Path;

/**
 * Damage found when the spool was opened: bytes of a segment that did not form a valid frame
 * although valid data follows them, or a gap in the sequence numbers. The damaged bytes are
 * copied to {@code file} (null for a pure gap) next to a JSON note. Records with sequence
 * numbers in [{@code firstLostSeq}, {@code lastLostSeq}] are lost; the range is empty
 * ({@code lastLostSeq < firstLostSeq}) when the damaged bytes held no records (e.g. junk
 * between two consecutive frames).
 */
public record QuarantinedRange(String segment, long offset, long length, long firstLostSeq, long lastLostSeq,
                               String reason, Path file) {

    public long recordsLost() {
        return Math.max(0, lastLostSeq - firstLostSeq + 1);
    }

    public boolean covers(long seq) {
        return seq >= firstLostSeq && seq <= lastLostSeq;
    }
}
