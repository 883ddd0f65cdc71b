package org.platewarden.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Gives a scratch index prefix exactly the settings and mappings Platewarden's read indices resolve to. */
final class EsTemplates {

    private EsTemplates() {
    }

    static void cloneReadTemplate(EsHttp es, String sourcePrefix, String targetPrefix) throws Exception {
        JsonNode simulated = es.json("POST", "/_index_template/_simulate_index/" + sourcePrefix + "-reads-2000.01.01", null).path("template");
        if (simulated.path("mappings").isMissingNode() || simulated.path("mappings").isEmpty()) {
            throw new IllegalStateException("no index template matches " + sourcePrefix + "-reads-*: is Platewarden installed on this cluster?");
        }
        ObjectNode settings = (ObjectNode) simulated.path("settings").deepCopy();
        JsonNode index = settings.path("index");
        if (index instanceof ObjectNode idx) {
            // lifecycle belongs to the real indices; the scratch copy is deleted by the scenario itself
            for (Iterator<String> it = idx.fieldNames(); it.hasNext(); ) if (it.next().startsWith("lifecycle")) it.remove();
        }
        es.json("PUT", "/_index_template/" + targetPrefix + "-reads", Map.of(
                "index_patterns", List.of(targetPrefix + "-reads-*"), "priority", 500,
                "template", Map.of("settings", settings, "mappings", simulated.path("mappings"))));
    }

    static void dropScratch(EsHttp es, String targetPrefix) throws Exception {
        // Elasticsearch 8 refuses wildcard deletes (action.destructive_requires_name): name each index
        JsonNode rows = es.send("GET", "/_cat/indices/" + targetPrefix + "-reads-*?format=json&h=index&expand_wildcards=all", null, null);
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode row : rows) names.add(row.path("index").asText());
        if (!names.isEmpty()) es.send("DELETE", "/" + String.join(",", names), null, null);
        es.send("DELETE", "/_index_template/" + targetPrefix + "-reads", null, null);
    }
}
