package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The stored form of an audit record (field names of the {@code <prefix>-audit} mapping), and the
 * hash that seals it: {@code hash = SHA-256 hex of the canonical JSON of the document without
 * "hash"}. Null fields are left out, so the document hashed is exactly the document stored.
 */
public final class AuditDocument {
    /** prev_hash of the first record of every node's chain. */
    public static final String GENESIS_HASH = "0".repeat(64);

    public static final String AUDIT_ID = "audit_id";
    public static final String SEQ = "seq";
    public static final String AT = "at";
    public static final String NODE_ID = "node_id";
    public static final String ACTION = "action";
    public static final String USER = "user";
    public static final String AGENCY = "agency";
    public static final String ROLES = "roles";
    public static final String PURPOSE = "purpose";
    public static final String CASE_NUMBER = "case_number";
    public static final String QUERY = "query";
    public static final String QUERY_TEXT = "query_text";
    public static final String CLIENT_ADDRESS = "client_address";
    public static final String OUTCOME = "outcome";
    public static final String REASON = "reason";
    public static final String STATUS = "status";
    public static final String HIT_COUNT = "hit_count";
    public static final String READ_IDS = "read_ids";
    /** Only on records that stand for more than one request ({@code anonymous_summary}, {@code refused_summary}); absent, the record is one request. */
    public static final String REQUEST_COUNT = "request_count";
    public static final String AUTH_METHOD = "auth_method";
    /** Only on records of requests that came through a trusted proxy: the proxy; {@code client_address} is then the client it named. */
    public static final String PROXY_ADDRESS = "proxy_address";
    /** Only on records of searches with a valid body: the window searched (defaults included) and the page size. */
    public static final String WINDOW_FROM = "window_from";
    public static final String WINDOW_TO = "window_to";
    public static final String PAGE_LIMIT = "page_limit";
    /** Only on records of searches some of whose window's days had lost their daily index (recorded as holding reads, index gone). */
    public static final String MISSING_DAYS = "missing_days";
    public static final String PREV_HASH = "prev_hash";
    public static final String HASH = "hash";

    private AuditDocument() {
    }

    /** A caller-supplied text field (user, purpose, case number) is kept up to this many characters. */
    static final int MAX_FIELD_CHARS = 1024;
    static final int MAX_REASON_CHARS = 4096;
    /** The query of a refused or failed request is kept whole up to this many characters of canonical text. */
    static final int MAX_REFUSED_QUERY_CHARS = 4096;
    private static final int REFUSED_QUERY_PREFIX_CHARS = 1024;
    /**
     * ... and nested at most this deep (a valid search body is 3 deep: geo_box.top_left.lat). Deeper,
     * it is kept as text like a long one: 4 096 characters hold 2 000 nested arrays, and a record that
     * deep overflowed the event loop's stack when the audit report copied it, so the report's page
     * never answered.
     */
    static final int MAX_REFUSED_QUERY_DEPTH = 32;

    /**
     * A refused request's query as recorded: whole when short; otherwise the start of its canonical
     * text, its length and its SHA-256, so a record still shows what was sent and can be matched with a
     * copy of the body, but a caller with a token cannot make the never-deleted trail grow by tens of
     * KB per refused request (a 60 KB unknown field was recorded twice, in query and query_text).
     * Allowed requests' queries are recorded whole: the parsers admit only small ones.
     */
    static JsonNode boundedQuery(JsonNode query) {
        String text = CanonicalJson.write(query);
        if (text.length() <= MAX_REFUSED_QUERY_CHARS && depth(query) <= MAX_REFUSED_QUERY_DEPTH) return query;
        ObjectNode cut = CanonicalJson.MAPPER.createObjectNode();
        cut.put("truncated", true);
        cut.put("body_prefix", text.substring(0, REFUSED_QUERY_PREFIX_CHARS));
        cut.put("body_chars", text.length());
        cut.put("body_sha256", CanonicalJson.sha256Hex(query));
        return cut;
    }

    /** How deeply objects and arrays nest in {@code node} (a scalar: 0), walked without recursion. */
    static int depth(JsonNode node) {
        int deepest = 0;
        java.util.ArrayDeque<java.util.Map.Entry<JsonNode, Integer>> todo = new java.util.ArrayDeque<>();
        todo.push(java.util.Map.entry(node, 0));
        while (!todo.isEmpty()) {
            var next = todo.pop();
            if (!next.getKey().isContainerNode()) continue;
            int level = next.getValue() + 1;
            deepest = Math.max(deepest, level);
            next.getKey().elements().forEachRemaining(child -> todo.push(java.util.Map.entry(child, level)));
        }
        return deepest;
    }

    /** {@code value} cut to {@code max} characters, saying how long it was; null stays null. */
    static String bounded(String value, int max) {
        if (value == null || value.length() <= max) return value;
        return value.substring(0, max) + "…[" + value.length() + " chars]";
    }

    /** Builds and seals the document of one record. {@code at} is truncated to milliseconds (the index's date precision). */
    public static ObjectNode seal(AuditEntry e, String auditId, long seq, Instant at, String nodeId, String prevHash) {
        ObjectNode doc = CanonicalJson.MAPPER.createObjectNode();
        doc.put(AUDIT_ID, auditId);
        doc.put(SEQ, seq);
        doc.put(AT, at.truncatedTo(ChronoUnit.MILLIS).toString());
        doc.put(NODE_ID, nodeId);
        putText(doc, ACTION, e.action());
        putText(doc, USER, bounded(e.user(), MAX_FIELD_CHARS));
        putText(doc, AGENCY, e.agency());
        ArrayNode roles = doc.putArray(ROLES);
        new TreeSet<>(e.roles() == null ? Set.of() : e.roles()).forEach(roles::add);
        putText(doc, PURPOSE, bounded(e.purpose(), MAX_FIELD_CHARS));
        putText(doc, CASE_NUMBER, bounded(e.caseNumber(), MAX_FIELD_CHARS));
        if (e.query() != null && !e.query().isNull() && !e.query().isMissingNode()) {
            JsonNode query = e.status() >= 400 ? boundedQuery(e.query()) : e.query();
            // the mapping stores "query" as a disabled object: anything else is wrapped, never dropped
            doc.set(QUERY, query.isObject() ? query.deepCopy() : CanonicalJson.MAPPER.createObjectNode().set("value", query.deepCopy()));
            doc.put(QUERY_TEXT, CanonicalJson.write(query));
        }
        putText(doc, CLIENT_ADDRESS, e.clientAddress());
        putText(doc, OUTCOME, e.outcome());
        putText(doc, REASON, bounded(e.reason(), MAX_REASON_CHARS));
        doc.put(STATUS, e.status());
        doc.put(HIT_COUNT, e.hitCount());
        // left out when null: the records written before the field existed hash exactly as they did
        if (e.requestCount() != null) doc.put(REQUEST_COUNT, e.requestCount().longValue());
        putText(doc, AUTH_METHOD, e.authMethod());
        putText(doc, PROXY_ADDRESS, e.proxyAddress());
        if (e.window() != null) {
            doc.put(WINDOW_FROM, e.window().from().toString());
            doc.put(WINDOW_TO, e.window().to().toString());
            doc.put(PAGE_LIMIT, e.window().limit());
            // only when some were: the records of complete searches hash as they did before the field existed
            if (!e.window().missingDays().isEmpty()) e.window().missingDays().forEach(doc.putArray(MISSING_DAYS)::add);
        }
        ArrayNode ids = doc.putArray(READ_IDS);
        if (e.readIds() != null) e.readIds().forEach(ids::add);
        doc.put(PREV_HASH, prevHash);
        // round-trip through the canonical text so numbers are in the form a reader re-parses to
        ObjectNode stable = (ObjectNode) CanonicalJson.parse(CanonicalJson.write(doc));
        stable.put(HASH, hashOf(stable));
        return stable;
    }

    /** The hash a document should carry: over every field except {@code hash} itself. */
    public static String hashOf(JsonNode doc) {
        ObjectNode withoutHash = ((ObjectNode) doc).deepCopy();
        withoutHash.remove(HASH);
        return CanonicalJson.sha256Hex(withoutHash);
    }

    public static AuditRecord toRecord(JsonNode doc) {
        List<String> readIds = new ArrayList<>();
        doc.path(READ_IDS).forEach(n -> readIds.add(n.asText()));
        Set<String> roles = new LinkedHashSet<>();
        doc.path(ROLES).forEach(n -> roles.add(n.asText()));
        AuditEntry entry = new AuditEntry(text(doc, ACTION), text(doc, USER), text(doc, AGENCY), roles,
                text(doc, PURPOSE), text(doc, CASE_NUMBER), doc.has(QUERY) ? doc.get(QUERY) : null,
                text(doc, CLIENT_ADDRESS), text(doc, OUTCOME), text(doc, REASON),
                doc.path(STATUS).asInt(), doc.path(HIT_COUNT).asInt(), readIds, null,
                doc.hasNonNull(REQUEST_COUNT) ? doc.get(REQUEST_COUNT).asLong() : null, text(doc, AUTH_METHOD), text(doc, PROXY_ADDRESS),
                doc.hasNonNull(WINDOW_FROM) ? new AuditEntry.Window(Instant.parse(doc.get(WINDOW_FROM).asText()),
                        Instant.parse(doc.path(WINDOW_TO).asText()), doc.path(PAGE_LIMIT).asInt(), texts(doc.path(MISSING_DAYS))) : null);
        return new AuditRecord(text(doc, AUDIT_ID), doc.path(SEQ).asLong(), Instant.parse(doc.path(AT).asText()),
                text(doc, NODE_ID), entry, text(doc, PREV_HASH), text(doc, HASH));
    }

    private static void putText(ObjectNode doc, String field, String value) {
        if (value != null) doc.put(field, value);
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }

    private static String text(JsonNode doc, String field) {
        JsonNode n = doc.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
