package org.platewarden.search.reports;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** One page of audit records, oldest first (newest first with {@code order=desc}); {@code next} is the cursor of the following page (null on the last). */
public record AuditPage(List<JsonObject> records, long total, String next) {
    public JsonObject toJson() {
        return new JsonObject().put("total", total).put("count", records.size())
                .put("records", new JsonArray(List.copyOf(records))).put("next", next);
    }
}
