package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The saved form of a record budget's tallies not yet written ({@link RecordBudget#unwritten}): one
 * JSON object each, with everything its summary record will need — audit id, key, window, first and
 * last request, counts by status, by action and by outcome — so that the record written after a
 * restart is the one the answers named, as it would have been without the crash. Read back strictly:
 * a tally that is not whole (a field missing, counts that do not add up to its requests) makes the
 * whole file unreadable, since guessing at audit counts would put numbers in the trail that nobody
 * counted.
 *
 * <p>{@code by_outcome} ({@code {"rate_limited":{"503":n},…}}: each outcome by status) came later
 * and the file kept its version: a tally saved without it (by an earlier version, which counted a
 * busy node's 503s as 503s only) is read with the outcomes its statuses say, which is what that
 * version's summary would have said; a version before it reading a newer file ignores the field.
 */
final class SavedTallies {
    private SavedTallies() {
    }

    static <K> ArrayNode write(List<RecordBudget.Summary<K>> tallies, TallyKeys<K> keys) {
        ArrayNode out = CanonicalJson.MAPPER.createArrayNode();
        for (RecordBudget.Summary<K> t : tallies) {
            ObjectNode o = out.addObject();
            o.put("audit_id", t.auditId());
            o.set("key", keys.write(t.key()));
            o.put("window_start", t.windowStart().toString());
            o.put("window_end", t.windowEnd().toString());
            o.put("first_at", t.firstAt() == null ? null : t.firstAt().toString());
            o.put("last_at", t.lastAt() == null ? null : t.lastAt().toString());
            o.put("requests", t.requests());
            ObjectNode statuses = o.putObject("by_status");
            t.byStatus().forEach((k, v) -> statuses.put(Integer.toString(k), v));
            ObjectNode actions = o.putObject("by_action");
            t.byAction().forEach(actions::put);
            ObjectNode outcomes = o.putObject("by_outcome");
            t.byOutcomeStatus().forEach((outcome, byStatus) -> {
                ObjectNode ofOutcome = outcomes.putObject(outcome);
                byStatus.forEach((k, v) -> ofOutcome.put(Integer.toString(k), v));
            });
        }
        return out;
    }

    static <K> List<RecordBudget.Summary<K>> read(JsonNode saved, TallyKeys<K> keys) throws IOException {
        if (!saved.isArray()) throw new IOException("tallies are not a list");
        List<RecordBudget.Summary<K>> out = new ArrayList<>(saved.size());
        int i = 0;
        for (JsonNode t : saved) {
            try {
                out.add(tally(t, keys));
            } catch (IOException | DateTimeParseException | NumberFormatException e) {
                throw new IOException("tally " + i + ": " + e.getMessage(), e);
            }
            i++;
        }
        return out;
    }

    private static <K> RecordBudget.Summary<K> tally(JsonNode t, TallyKeys<K> keys) throws IOException {
        if (!t.isObject()) throw new IOException("not an object");
        String id = t.path("audit_id").asText("");
        if (!t.path("audit_id").isTextual() || id.isBlank()) throw new IOException("no audit_id");
        if (!t.path("key").isObject()) throw new IOException("no key");
        K key = keys.read(t.get("key"));
        long requests = count(t.path("requests"), "requests");
        SortedMap<Integer, Long> byStatus = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : fields(t, "by_status")) byStatus.put(Integer.parseInt(e.getKey()), count(e.getValue(), "by_status"));
        SortedMap<String, Long> byAction = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : fields(t, "by_action")) byAction.put(e.getKey(), count(e.getValue(), "by_action"));
        if (sum(byStatus) != requests || sum(byAction) != requests) {
            throw new IOException("counts by status " + byStatus + " and by action " + byAction + " do not add up to its " + requests + " requests");
        }
        SortedMap<String, SortedMap<Integer, Long>> byOutcome = t.has("by_outcome") ? byOutcome(t, byStatus)
                : RecordBudget.Summary.outcomesOf(byStatus); // saved before outcomes were counted
        return new RecordBudget.Summary<>(key, id, instant(t, "window_start"), instant(t, "window_end"), requests, byStatus, byAction,
                optionalInstant(t, "first_at"), optionalInstant(t, "last_at"), byOutcome);
    }

    /** {@code by_outcome}: known outcomes, each by status, together the counts by status exactly. */
    private static SortedMap<String, SortedMap<Integer, Long>> byOutcome(JsonNode t, SortedMap<Integer, Long> byStatus) throws IOException {
        SortedMap<String, SortedMap<Integer, Long>> out = new TreeMap<>();
        SortedMap<Integer, Long> statuses = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : fields(t, "by_outcome")) {
            if (!AuditVocabulary.OUTCOMES.contains(e.getKey())) throw new IOException("by_outcome: unknown outcome " + e.getKey());
            SortedMap<Integer, Long> ofOutcome = new TreeMap<>();
            for (Map.Entry<String, JsonNode> s : fields(t.get("by_outcome"), e.getKey())) {
                long n = count(s.getValue(), "by_outcome");
                ofOutcome.put(Integer.parseInt(s.getKey()), n);
                statuses.merge(Integer.parseInt(s.getKey()), n, Long::sum);
            }
            if (ofOutcome.isEmpty()) throw new IOException("by_outcome: no count of " + e.getKey());
            out.put(e.getKey(), ofOutcome);
        }
        if (!statuses.equals(byStatus)) throw new IOException("counts by outcome " + out + " do not add up to those by status " + byStatus);
        return out;
    }

    private static long count(JsonNode n, String what) throws IOException {
        if (!n.isIntegralNumber() || n.asLong() < 1) throw new IOException(what + " is not a count of at least 1: " + n);
        return n.asLong();
    }

    private static long sum(Map<?, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode t, String name) throws IOException {
        if (!t.path(name).isObject()) throw new IOException("no " + name);
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = t.get(name).fields(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    private static Instant instant(JsonNode t, String name) throws IOException {
        if (!t.path(name).isTextual()) throw new IOException("no " + name);
        return Instant.parse(t.get(name).asText());
    }

    private static Instant optionalInstant(JsonNode t, String name) throws IOException {
        return t.path(name).isNull() || t.path(name).isMissingNode() ? null : instant(t, name);
    }
}
