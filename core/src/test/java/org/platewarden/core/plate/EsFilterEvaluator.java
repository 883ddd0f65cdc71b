package org.platewarden.core.plate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import org.platewarden.core.read.ReadFields;

/**
 * Evaluates the rendered Elasticsearch filter JSON against one stored read, with Elasticsearch's
 * semantics for the few query types a {@link CandidateQuery} may use. Any other query type
 * (wildcard, regexp, prefix, fuzzy, ...) fails the test: those would scan the term dictionary.
 */
final class EsFilterEvaluator {
    private EsFilterEvaluator() {
    }

    static boolean matches(JsonNode query, StoredTerms doc) {
        if (query.size() != 1) throw new AssertionError("one query type per object expected: " + query);
        Map.Entry<String, JsonNode> e = query.fields().next();
        JsonNode body = e.getValue();
        switch (e.getKey()) {
            case "bool" -> {
                for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
                    String name = it.next();
                    if (!name.equals("filter") && !name.equals("should") && !name.equals("minimum_should_match")) {
                        throw new AssertionError("unexpected bool part " + name);
                    }
                }
                for (JsonNode f : body.path("filter")) {
                    if (!matches(f, doc)) return false;
                }
                if (body.has("should")) {
                    int needed = body.path("minimum_should_match").asInt(-1);
                    if (needed < 1) throw new AssertionError("should without explicit minimum_should_match: " + query);
                    int found = 0;
                    for (JsonNode s : body.get("should")) if (matches(s, doc)) found++;
                    return found >= needed;
                }
                return true;
            }
            case "term" -> {
                Map.Entry<String, JsonNode> f = single(body);
                return doc.has(f.getKey(), f.getValue().get("value").asText());
            }
            case "terms" -> {
                Map.Entry<String, JsonNode> f = single(body);
                for (JsonNode v : f.getValue()) if (doc.has(f.getKey(), v.asText())) return true;
                return false;
            }
            case "range" -> {
                Map.Entry<String, JsonNode> f = single(body);
                if (!f.getKey().equals(ReadFields.PLATE_LEN)) throw new AssertionError("range on " + f.getKey());
                JsonNode r = f.getValue();
                if (r.has("gte") && doc.length() < r.get("gte").asInt()) return false;
                return !r.has("lte") || doc.length() <= r.get("lte").asInt();
            }
            default -> throw new AssertionError("query type not allowed for candidate retrieval: " + e.getKey());
        }
    }

    /** Leaf queries (term, terms, range) in the tree: what Elasticsearch counts against its clause limit. */
    static int leaves(JsonNode query) {
        Map.Entry<String, JsonNode> e = query.fields().next();
        if (!e.getKey().equals("bool")) return 1;
        int n = 0;
        for (JsonNode f : e.getValue().path("filter")) n += leaves(f);
        for (JsonNode f : e.getValue().path("should")) n += leaves(f);
        return n;
    }

    private static Map.Entry<String, JsonNode> single(JsonNode body) {
        if (body.size() != 1) throw new AssertionError("one field expected: " + body);
        return body.fields().next();
    }
}
