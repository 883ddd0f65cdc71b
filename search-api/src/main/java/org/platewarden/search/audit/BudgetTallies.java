package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A record budget's tallies as the tally file keeps them across a crash ({@link TallyFile}): the
 * budget's name in the file, its accounting, and how its keys are written. A save takes
 * {@link #save} when {@link #changes} moved since the last; at start, {@link #read} parses the saved
 * part and {@link Saved#restoreUnwritten} hands the budget those the trail has no record of.
 *
 * @param <K> the budget's key
 */
public final class BudgetTallies<K> {
    private final String name;
    private final RecordBudget<K> budget;
    private final TallyKeys<K> keys;

    BudgetTallies(String name, RecordBudget<K> budget, TallyKeys<K> keys) {
        this.name = name;
        this.budget = budget;
        this.keys = keys;
    }

    /** The budget's name in the file and in log lines ({@code anonymous}, {@code refused}). */
    public String name() {
        return name;
    }

    /** {@link RecordBudget#changes}. */
    public long changes() {
        return budget.changes();
    }

    /** Every tally not yet written, in its saved form. Takes the budget's lock while it copies them. */
    public ArrayNode save() {
        return SavedTallies.write(budget.unwritten(), keys);
    }

    /** The tallies {@link #save} wrote; an IOException when they are not whole. */
    public Saved<K> read(JsonNode saved) throws IOException {
        return new Saved<>(this, SavedTallies.read(saved, keys));
    }

    /** Tallies read back from the file, not yet handed to the budget. */
    public record Saved<K>(BudgetTallies<K> into, List<RecordBudget.Summary<K>> tallies) {
        public List<String> ids() {
            return tallies.stream().map(RecordBudget.Summary::auditId).toList();
        }

        /**
         * Hands the budget the tallies whose id the trail has no record of ({@code recorded}: ids
         * found, with their request counts; {@link AlreadyWritten}), to be written at its next
         * summaries; returns what was taken back and what was dropped.
         */
        public AlreadyWritten.Split<K> restoreUnwritten(Map<String, Long> recorded) {
            AlreadyWritten.Split<K> split = AlreadyWritten.split(tallies, recorded);
            into.budget.restore(split.unwritten());
            return split;
        }
    }
}
