package org.platewarden.search.reports;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One page of audit records, oldest first (newest first with {@code order=desc}); {@code next} is the
 * cursor of the following page (null on the last); {@code integrity} names the records on it that do
 * not check out (empty: all did).
 */
public record AuditPage(List<JsonObject> records, long total, String next, List<String> integrity) {
    public JsonObject toJson() {
        return new JsonObject().put("total", total).put("count", records.size())
                .put("records", new JsonArray(List.copyOf(records))).put("next", next)
                .put("integrity", new JsonObject().put("ok", integrity.isEmpty()).put("problems", new JsonArray(List.copyOf(integrity))));
    }

    /** The same, for a CSV answer's {@code X-Audit-Integrity} header: {@code ok}, or how many problems and what to run. */
    public String integrityHeader() {
        return integrity.isEmpty() ? "ok" : integrity.size() + " record(s) on this page do not check out; GET /v1/audit?format=json names them; run audit verify";
    }
}
