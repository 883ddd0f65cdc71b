package org.platewarden.indexer.compaction;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One compaction pass over the daily read indices: those force-merged (with their segment counts
 * before and after and how long it took), those already at or below the threshold, those whose day
 * is not yet {@code after_hours} over (today's among them) or already expired (retention deletes
 * them), and those whose merge failed or could not be asked for (index name to why: the error, or
 * that a primary shard of the day is not available). Every open daily read index is in exactly one
 * list. Audit and holds indices are not daily read indices and are never listed.
 */
public record CompactionReport(
        @JsonProperty("ran_at") Instant ranAt,
        @JsonProperty("after_hours") int afterHours,
        @JsonProperty("above_segments") int aboveSegments,
        @JsonProperty("compacted") List<Compacted> compacted,
        @JsonProperty("already_compact") List<String> alreadyCompact,
        @JsonProperty("not_due") List<String> notDue,
        @JsonProperty("failed") Map<String, String> failed) {

    /** One index merged in this pass. */
    public record Compacted(
            @JsonProperty("index") String index,
            @JsonProperty("segments_before") int segmentsBefore,
            @JsonProperty("segments_after") int segmentsAfter,
            @JsonProperty("seconds") double seconds) {
    }
}
