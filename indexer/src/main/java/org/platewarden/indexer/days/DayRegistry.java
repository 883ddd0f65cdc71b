package org.platewarden.indexer.days;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.indexer.EsRest;

/**
 * Blocking reads and removals on the day registry {@code <prefix>-days} (one document per UTC day
 * that holds reads, id {@code YYYY-MM-DD}; the indexer writes them, {@link org.platewarden.indexer.DayRecorder}),
 * and the daily read indices that exist: together they tell a daily index deleted by mistake
 * ({@link MissingDays}) from a day without reads. Call from workers, never from an event loop.
 */
public final class DayRegistry {
    /** More days than any retention keeps: the registry holds one per day within it, plus any not yet pruned. */
    static final int MAX_DAYS = 1000;

    private final EsRest es;
    private final String prefix;
    private final String registry;

    public DayRegistry(EsRest es, String prefix) {
        this.es = es;
        this.prefix = prefix;
        this.registry = DailyIndex.registry(prefix);
    }

    /** The days recorded as holding reads (none when the registry does not exist yet). */
    public Set<LocalDate> recorded() {
        ObjectNode body = EsRest.MAPPER.createObjectNode().put("size", MAX_DAYS).put("_source", false);
        JsonNode hits = es.callAllShards("POST", "/" + registry + "/_search?ignore_unavailable=true&allow_no_indices=true&filter_path=_shards,hits.hits._id", body)
                .path("hits").path("hits");
        Set<LocalDate> days = new TreeSet<>();
        for (JsonNode hit : hits) {
            try {
                days.add(LocalDate.parse(hit.path("_id").asText()));
            } catch (DateTimeParseException notADay) {
                // written by something else: not a day of ours
            }
        }
        return days;
    }

    /** The days whose daily read index exists now. */
    public Set<LocalDate> indexed() {
        JsonNode rows = es.call("GET", "/_cat/indices/" + DailyIndex.pattern(prefix) + "?format=json&h=index&expand_wildcards=all", null);
        Set<LocalDate> days = new TreeSet<>();
        for (JsonNode row : rows) DailyIndex.parseDay(prefix, row.path("index").asText()).ifPresent(days::add);
        return days;
    }

    /** Recorded days within retention whose index is gone, oldest first. */
    public List<LocalDate> missing(int retentionDays, Instant now) {
        return MissingDays.of(recorded(), indexed(), retentionDays, now);
    }

    /** Retention deleted the day's index: the day is no longer expected to hold reads. */
    public void forget(LocalDate day) {
        // refreshed: the next listing (a search) must not see it; a few removals a day
        es.call("DELETE", "/" + registry + "/_doc/" + day + "?refresh=true", null); // a 404 (never recorded) is the same end
    }

    /**
     * Removes the recorded days past retention (deleted by ILM, or by a sweep whose removal failed),
     * so the registry stays one document per day within retention. Returns how many it removed.
     */
    public int forgetExpired(int retentionDays, Instant now) {
        int removed = 0;
        for (LocalDate day : recorded()) {
            if (!DailyIndex.isExpired(day, retentionDays, now)) continue;
            forget(day);
            removed++;
        }
        return removed;
    }
}
