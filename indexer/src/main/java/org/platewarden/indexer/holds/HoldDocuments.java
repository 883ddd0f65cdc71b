package org.platewarden.indexer.holds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.indexer.EsRest;

/**
 * A {@link Hold} as it is stored: the {@code hold} object on each held copy and on the definition
 * document, and back. One place for the field names, so that what a creation writes is what a
 * listing, a release or a claim reads.
 */
final class HoldDocuments {
    private HoldDocuments() {
    }

    /** The hold object on each held copy: who holds it and why; the definition document has the rest. */
    static ObjectNode copyHoldObject(Hold h) {
        ObjectNode o = EsRest.MAPPER.createObjectNode();
        o.put("hold_id", h.id());
        o.put("case_number", h.caseNumber());
        o.put("reason", h.reason());
        o.put("agency", h.agency());
        o.put("created_by", h.createdBy());
        o.put("created_at", h.createdAt().toString());
        o.put("until", h.until().toString());
        return o;
    }

    /** The definition document's hold object: the copy's fields plus what the hold selected. */
    static ObjectNode holdObject(Hold h) {
        ObjectNode o = copyHoldObject(h);
        o.put("read_count", h.readCount());
        if (h.platePattern() != null) o.put("plate_pattern", h.platePattern());
        if (h.readIds() != null) {
            ArrayNode ids = o.putArray("read_ids");
            h.readIds().forEach(ids::add);
        }
        if (h.from() != null) o.put("from", h.from().toString());
        if (h.to() != null) o.put("to", h.to().toString());
        if (h.releasedAt() != null) o.put("released_at", h.releasedAt().toString());
        if (h.releasedBy() != null) o.put("released_by", h.releasedBy());
        return o;
    }

    static Hold fromObject(JsonNode o) {
        List<String> ids = null;
        if (o.path("read_ids").isArray()) {
            ids = new ArrayList<>();
            for (JsonNode id : o.path("read_ids")) ids.add(id.asText());
        } else if (o.path("read_ids").isTextual()) {
            ids = List.of(o.path("read_ids").asText());
        }
        return new Hold(o.path("hold_id").asText(), text(o, "case_number"), text(o, "reason"), text(o, "agency"),
                text(o, "created_by"), instant(o, "created_at"), instant(o, "until"), o.path("read_count").asLong(0),
                instant(o, "released_at"), text(o, "released_by"), text(o, "plate_pattern"), ids,
                instant(o, "from"), instant(o, "to"));
    }

    static Hold withCount(Hold h, long count) {
        return new Hold(h.id(), h.caseNumber(), h.reason(), h.agency(), h.createdBy(), h.createdAt(), h.until(), count,
                h.releasedAt(), h.releasedBy(), h.platePattern(), h.readIds(), h.from(), h.to());
    }

    static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static Instant instant(JsonNode o, String field) {
        String v = text(o, field);
        return v == null ? null : Instant.parse(v);
    }
}
