package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * How a record budget's keys are written in its saved tallies ({@link SavedTallies}): a client
 * address for the anonymous budget, a caller for the refused-request budget.
 *
 * @param <K> the budget's key
 */
public interface TallyKeys<K> {
    /** The key as a JSON object. */
    ObjectNode write(K key);

    /** The key {@link #write} wrote; an IOException when {@code saved} is not one. */
    K read(JsonNode saved) throws IOException;
}
