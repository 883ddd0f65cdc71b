package org.platewarden.search.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.platewarden.core.read.DateTimeField;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.platewarden.core.config.AddressRange;
import org.platewarden.core.config.SearchConfig;
import org.platewarden.search.access.SearchAccessPolicy;
import org.platewarden.search.audit.AuditDocument;
import org.platewarden.search.audit.AuditVocabulary;
import org.platewarden.search.audit.CanonicalJson;

/**
 * An auditor's filter over the audit trail ({@code GET /v1/audit}): time range, agency, user,
 * purpose, outcome, action, and the questions an auditor is asked of one thing — every record of a
 * case ({@code case_number}), of a client address (the record's {@code client_address}), of a node,
 * and every search that returned a read ({@code read_id}: the records whose {@code read_ids} hold
 * it); a bounded page ({@code limit}, default 100, at most 1000) and an opaque
 * {@code cursor} (the {@code next} of the previous page). Records come oldest first, or newest first
 * with {@code order=desc} (a cursor pages on in the order it was made with: it carries the order, and an
 * {@code order} sent with it that says otherwise is refused). Purpose and
 * agency are open (a refused search may carry any purpose); outcome, action and format are closed.
 */
public record AuditQuery(Instant from, Instant to, String agency, String user, String purpose, String outcome,
                         String action, String caseNumber, String clientAddress, String readId, String nodeId,
                         int limit, ArrayNode after, String format, boolean newestFirst, List<String> purposeSpellings,
                         String scope) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    private static final Set<String> FORMATS = Set.of("json", "csv");
    /** every parameter understood; paging is by {@code cursor} only */
    public static final List<String> PARAMETERS = List.of("from", "to", "agency", "user", "purpose", "outcome", "action",
            "case_number", "client_address", "read_id", "node_id", "limit", "cursor", "format", "order");
    private static final Set<String> ORDERS = Set.of("asc", "desc");

    public AuditQuery {
        purposeSpellings = purposeSpellings == null ? (purpose == null ? List.of() : List.of(purpose)) : List.copyOf(purposeSpellings);
    }

    /** Without folding agency or purpose: each matched exactly as given. */
    public static AuditQuery fromParams(MultiMap params) {
        return fromParams(params, null, List.of());
    }

    /**
     * As {@link #fromParams(MultiMap)}, with {@code agency} matched in any case to a configured
     * agency's id ({@code acso} finds ACSO's records) and {@code purpose} also matched under the
     * configured purpose it is a spelling of, the way a search's purpose is checked and recorded
     * ({@link SearchAccessPolicy#spelling}: {@code Immigration-Enforcement} finds the records of
     * {@code immigration_enforcement}); a value that is no configured one is matched as given (a
     * refused search's free-text purpose).
     */
    public static AuditQuery fromParams(MultiMap params, SearchConfig search, java.util.Collection<String> agencyIds) {
        AuditQuery q = parse(params);
        String agency = q.agency();
        if (agency != null) {
            for (String id : agencyIds) if (id.equalsIgnoreCase(agency.strip())) agency = id;
        }
        List<String> purposes = q.purposeSpellings();
        if (q.purpose() != null && search != null) {
            String folded = foldPurpose(search, q.purpose());
            purposes = folded.equals(q.purpose()) ? List.of(q.purpose()) : List.of(folded, q.purpose());
        }
        return new AuditQuery(q.from(), q.to(), agency, q.user(), q.purpose(), q.outcome(), q.action(), q.caseNumber(),
                q.clientAddress(), q.readId(), q.nodeId(), q.limit(), q.after(), q.format(), q.newestFirst(), purposes, q.scope());
    }

    /** The configured purpose (prohibited or allowed) {@code purpose} is a spelling of, else {@code purpose}. */
    static String foldPurpose(SearchConfig search, String purpose) {
        String prohibited = SearchAccessPolicy.recordedPurpose(search, purpose);
        if (!prohibited.equals(purpose)) return prohibited;
        String spelt = SearchAccessPolicy.spelling(purpose);
        for (String allowed : search.allowedPurposes()) if (SearchAccessPolicy.spelling(allowed).equals(spelt)) return allowed;
        return purpose;
    }

    /**
     * Parses the query parameters; anything malformed is an {@link IllegalArgumentException} (400).
     * So is anything not understood — an unknown parameter, a repeated one, an outcome or action
     * no record has: ignoring them would answer a different question than the auditor asked (a
     * client paging with {@code after=} would get page 1 forever; {@code outcome=bogus} an empty
     * page that reads as "no such records").
     */
    private static AuditQuery parse(MultiMap params) {
        for (String name : params.names()) {
            if (!PARAMETERS.contains(name)) {
                throw new IllegalArgumentException("unknown parameter " + name + "; accepted: " + String.join(", ", PARAMETERS)
                        + " (page with cursor = the previous page's next)");
            }
            if (params.getAll(name).size() > 1) throw new IllegalArgumentException(name + " is given more than once");
        }
        String outcome = oneOf(params, "outcome", AuditVocabulary.OUTCOMES);
        String action = oneOf(params, "action", AuditVocabulary.ACTIONS);
        String format = params.get("format") == null ? "json" : params.get("format").toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) throw new IllegalArgumentException("format must be json or csv");
        int limit = DEFAULT_LIMIT;
        if (params.get("limit") != null) {
            try {
                limit = Integer.parseInt(params.get("limit"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("limit must be a number");
            }
            if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
        }
        Instant from = instant(params, "from");
        Instant to = instant(params, "to");
        if (from != null && to != null && from.isAfter(to)) throw new IllegalArgumentException("from is after to");
        String order = params.get("order") == null ? null : params.get("order").toLowerCase(Locale.ROOT);
        if (order != null && !ORDERS.contains(order)) {
            throw new IllegalArgumentException("order must be asc (oldest first, the default) or desc (newest first)");
        }
        Cursor cursor = params.get("cursor") == null ? null : decodeCursor(params.get("cursor"));
        if (cursor != null && cursor.order() != null && order != null && !cursor.order().equals(order)) {
            throw new IllegalArgumentException("this cursor pages " + (cursor.order().equals("desc") ? "newest" : "oldest")
                    + " first (order=" + cursor.order() + "), not order=" + order + ": send order=" + cursor.order()
                    + " or none with it, or start again without the cursor");
        }
        if (order == null) order = cursor != null && cursor.order() != null ? cursor.order() : "asc";
        return new AuditQuery(from, to, text(params, "agency"), text(params, "user"), text(params, "purpose"),
                outcome, action, text(params, "case_number"), text(params, "client_address"), text(params, "read_id"),
                text(params, "node_id"), limit, cursor == null ? null : cursor.after(), format, order.equals("desc"), null, null);
    }

    /**
     * This query limited to one agency's records: an auditor of an agency without {@code oversight}.
     * Asking for another agency's is refused rather than answered empty, so the auditor knows why.
     */
    public AuditQuery scopedTo(String agencyId) {
        if (agency != null && !agency.equals(agencyId)) {
            throw new SecurityException("auditors of agency " + agencyId + " read its own records only (agency " + agencyId
                    + " has no oversight in the configuration)");
        }
        return new AuditQuery(from, to, agency, user, purpose, outcome, action, caseNumber, clientAddress, readId, nodeId, limit, after,
                format, newestFirst, purposeSpellings, agencyId);
    }

    /** The Elasticsearch search body of this page, sorted oldest (or newest) first with a unique tiebreak, the audit id. */
    public ObjectNode searchBody() {
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        body.put("size", limit);
        body.put("track_total_hits", true);
        ArrayNode filter = body.putObject("query").putObject("bool").putArray("filter");
        if (from != null || to != null) {
            ObjectNode range = filter.addObject().putObject("range").putObject(AuditDocument.AT);
            if (from != null) range.put("gte", from.toString());
            if (to != null) range.put("lte", to.toString());
        }
        term(filter, AuditDocument.AGENCY, agency);
        term(filter, AuditDocument.USER, user);
        if (!purposeSpellings.isEmpty()) {
            ArrayNode spellings = filter.addObject().putObject("terms").putArray(AuditDocument.PURPOSE);
            purposeSpellings.forEach(spellings::add);
        }
        term(filter, AuditDocument.OUTCOME, outcome);
        term(filter, AuditDocument.ACTION, action);
        term(filter, AuditDocument.CASE_NUMBER, caseNumber);
        if (clientAddress != null) {
            ArrayNode forms = filter.addObject().putObject("terms").putArray(AuditDocument.CLIENT_ADDRESS);
            AddressRange.spellings(clientAddress).forEach(forms::add);
        }
        term(filter, AuditDocument.READ_IDS, readId);
        term(filter, AuditDocument.NODE_ID, nodeId);
        term(filter, AuditDocument.AGENCY, scope);
        ArrayNode sort = body.putArray("sort");
        String direction = newestFirst ? "desc" : "asc";
        sort.addObject().put(AuditDocument.AT, direction);
        sort.addObject().put(AuditDocument.NODE_ID, direction);
        sort.addObject().put(AuditDocument.SEQ, direction);
        // the audit id, unique, so that a second record at a node's seq (a fork, or one added to the
        // index with the same time) is not stepped over where a page ends between the two; a cursor
        // made before it (three sort values) pages on by the three it was made with
        if (after == null || after.size() == 4) sort.addObject().put(AuditDocument.AUDIT_ID, direction);
        if (after != null) body.set("search_after", after);
        return body;
    }

    /** What the auditor asked for, as recorded in the audit_read record. */
    public ObjectNode describe() {
        ObjectNode d = CanonicalJson.MAPPER.createObjectNode();
        if (from != null) d.put("from", from.toString());
        if (to != null) d.put("to", to.toString());
        if (agency != null) d.put("agency", agency);
        if (user != null) d.put("user", user);
        if (purpose != null) d.put("purpose", purpose);
        if (outcome != null) d.put("outcome", outcome);
        if (action != null) d.put("action", action);
        if (caseNumber != null) d.put("case_number", caseNumber);
        if (clientAddress != null) d.put("client_address", clientAddress);
        if (readId != null) d.put("read_id", readId);
        if (nodeId != null) d.put("node_id", nodeId);
        if (scope != null) d.put("scope", scope);
        d.put("limit", limit);
        if (after != null) d.set("cursor", after);
        d.put("format", format);
        if (newestFirst) d.put("order", "desc");
        return d;
    }

    /**
     * The cursor of the page after the record with these sort values: {@code [at, node_id, seq, audit_id, order]},
     * so it pages on in this query's order when it comes back without {@code order}.
     */
    String cursorAfter(JsonNode sortValues) {
        ArrayNode cursor = sortValues.deepCopy();
        cursor.add(newestFirst ? "desc" : "asc");
        return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A position in the trail ({@code search_after}) and the order it was made in; null for a cursor of before the order was carried. */
    private record Cursor(ArrayNode after, String order) {
    }

    private static Cursor decodeCursor(String cursor) {
        try {
            JsonNode node = CanonicalJson.parse(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (node instanceof ArrayNode a && a.size() >= 3 && a.size() <= 5
                    && isLong(a.get(0)) && a.get(1).isTextual() && isLong(a.get(2))) {
                if (a.size() == 3) return new Cursor(a, null); // [at, node_id, seq]: made before cursors carried their order
                // [at, node_id, seq, order] made before the audit id broke ties, or [at, node_id, seq, audit_id, order]
                int last = a.size() - 1;
                boolean tieBroken = a.size() == 5;
                if ((!tieBroken || a.get(3).isTextual()) && a.get(last).isTextual() && ORDERS.contains(a.get(last).asText())) {
                    String order = a.get(last).asText();
                    a.remove(last);
                    return new Cursor(a, order);
                }
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new IllegalArgumentException("invalid cursor");
    }

    /**
     * A cursor's time and seq are whole numbers, as the page's sort values were: a forged one such as
     * {@code 1e400} reached Elasticsearch as {@code Infinity}, whose refusal was a 500.
     */
    private static boolean isLong(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong();
    }

    private static void term(ArrayNode filter, String field, String value) {
        if (value != null) filter.addObject().putObject("term").put(field, value);
    }

    /**
     * The longest filter value: what a record can hold — a stored read id is up to 512 characters (the
     * camera id, ':', the camera's id of up to 256), a user, purpose or case number up to 1 024 plus
     * the note of its length. At 256, the reads of cameras sending long ids could not be looked up.
     * The request line (4 096 bytes) bounds them all anyway.
     */
    static final int MAX_FILTER_CHARS = 1100;

    private static String text(MultiMap params, String name) {
        String v = params.get(name);
        if (v == null || v.isBlank()) return null;
        if (v.length() > MAX_FILTER_CHARS) throw new IllegalArgumentException(name + " is longer than " + MAX_FILTER_CHARS + " characters");
        return v;
    }

    private static String oneOf(MultiMap params, String name, Set<String> known) {
        String v = text(params, name);
        if (v != null && !known.contains(v)) throw new IllegalArgumentException(name + " must be one of " + String.join(", ", known));
        return v;
    }

    /**
     * {@code from} or {@code to}: read with the grammar of a search's window and a hold's times
     * ({@link DateTimeField}), so one date-time an auditor copies from a search, a hold or a record
     * means the same here; another form is a 400 naming the parameter and the form.
     */
    private static Instant instant(MultiMap params, String name) {
        String v = params.get(name);
        if (v == null || v.isBlank()) return null;
        return DateTimeField.parse(name, v);
    }
}
