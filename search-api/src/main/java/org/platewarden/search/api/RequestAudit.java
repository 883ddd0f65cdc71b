package org.platewarden.search.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.AuditRecord;
import org.platewarden.search.audit.AuditUnavailableException;
import org.platewarden.search.audit.AuditVocabulary;
import org.platewarden.search.audit.ClientAddress;
import org.platewarden.search.audit.CanonicalJson;
import org.platewarden.search.audit.Corrections;
import org.platewarden.search.audit.RecordBudget;
import org.platewarden.search.auth.Authenticator;
import org.platewarden.search.auth.Principal;

/**
 * Writes the audit record of an HTTP request from what the routing context knows: the action and
 * principal (set by the route's first handlers), the purpose, case number and query the handler
 * parsed, the client address. A request is marked audited once a record describing its outcome
 * is written, so the failure handler neither skips nor doubles it.
 */
final class RequestAudit {
    static final String PRINCIPAL = "pw.principal";
    static final String ACTION = "pw.action";
    static final String AUDITED = "pw.audited";
    static final String QUERY = "pw.query";
    static final String PURPOSE = "pw.purpose";
    static final String CASE_NUMBER = "pw.case_number";
    static final String UNPARSEABLE = "pw.unparseable";
    /**
     * Set when the request's query is a filter over records (an audit report): its {@code purpose}
     * and {@code case_number} are what the auditor looked for, not a purpose or case the auditor
     * acted under, so the record does not take them as its own (it would then turn up under that
     * purpose or case itself); they stay in the record's query.
     */
    static final String QUERY_IS_FILTER = "pw.query_is_filter";
    /** the audit id of the intent record of a change under way */
    static final String INTENT_AUDIT_ID = "pw.intent_audit_id";
    /**
     * the audit id of the record a successful answer stands on (a read's record, a change's intent):
     * the answer names it ({@code X-Audit-Id}, and {@code audit_id} in a JSON object body; {@link Responses})
     */
    static final String ANSWER_AUDIT_ID = "pw.answer_audit_id";
    /** the record of a read the route served ({@link #recordAllowed}): corrected if its answer then cannot be written ({@link #recordUnanswered}) */
    private static final String ANSWER_RECORD = "pw.answer_record";
    private static final String CLIENT = "pw.client";
    private static final int BODY_PREFIX_CHARS = 1024;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RequestAudit.class);

    private final AuditLog log;
    private final Authenticator authenticator;
    private final AnonymousSummaries anonymous;
    private final RefusedSummaries refused;
    private final ForwardedFor forwardedFor;

    /**
     * @param anonymous    the budget for records of requests without an authenticated caller
     * @param refused      the budget for records of authenticated callers' refused requests
     * @param forwardedFor who may name the client ({@code search.trusted_proxies})
     */
    RequestAudit(AuditLog log, Authenticator authenticator, AnonymousSummaries anonymous, RefusedSummaries refused, ForwardedFor forwardedFor) {
        this.forwardedFor = forwardedFor;
        this.log = log;
        this.authenticator = authenticator;
        this.anonymous = anonymous;
        this.refused = refused;
    }

    Authenticator authenticator() {
        return authenticator;
    }

    /** A completed read or check: the record of its outcome. */
    Future<Void> recordAllowed(RoutingContext ctx, int status, JsonNode query, int hitCount) {
        return recordAllowed(ctx, status, query, hitCount, null);
    }

    Future<Void> recordAllowed(RoutingContext ctx, int status, JsonNode query, int hitCount, String reason) {
        AuditEntry entry = entry(ctx, ctx.get(PRINCIPAL), "allowed", reason, status, query, hitCount, List.of());
        return writeOrCorrect(entry, "nothing was returned")
                .onSuccess(id -> ctx.put(AUDITED, true).put(ANSWER_AUDIT_ID, id).put(ANSWER_RECORD, entry))
                .mapEmpty();
    }

    /**
     * A change about to be made, recorded first so that no change happens unrecorded. The caller
     * has refused before this whatever it could without making the change, so an "allowed" intent
     * is followed by a failure record only when the change itself fails ({@link #recordFailure}
     * then names this record).
     */
    Future<Void> recordIntent(RoutingContext ctx, int status, JsonNode query) {
        return recordIntent(ctx, status, query, 0, List.of(), null);
    }

    /** An intent that names the reads the change touches (a hold release: the held copies it deletes). */
    Future<Void> recordIntent(RoutingContext ctx, int status, JsonNode query, int hitCount, List<String> readIds, String reason) {
        AuditEntry entry = entry(ctx, ctx.get(PRINCIPAL), "allowed", reason, status, query, hitCount, readIds);
        return writeOrCorrect(entry, "the change was not made")
                .onSuccess(id -> ctx.put(INTENT_AUDIT_ID, id).put(ANSWER_AUDIT_ID, id))
                .mapEmpty();
    }

    /**
     * A record that follows a change's intent once the change is made and says what it did (a hold's
     * creation: the reads it kept, {@code hold_copy}), under its own {@code action}, with the request's
     * caller, purpose and case number. Without it the intent would stand alone and name less than the
     * change did, so it is owed to the trail as a failed change's record is ({@link #recordFailure}):
     * if its write fails and leaves it in neither copy, it is written as a record the trail owes, its
     * reason ending {@code (answered 503: this record could not be written before the answer)}, before
     * the future fails with the write's failure (the change stands; the caller answers 503). A write
     * that failed after the record reached one copy needs nothing more: the record is in the trail and
     * says what was done.
     */
    Future<Void> recordFollowUp(RoutingContext ctx, String action, int status, JsonNode query, int hitCount, List<String> readIds, String reason) {
        Principal p = ctx.get(PRINCIPAL);
        AuditEntry entry = entry(ctx, action, p, "allowed", reason, status, query, hitCount, readIds);
        return log.record(entry).<Void>mapEmpty().recover(e -> {
            if (Corrections.recordedAs(e) != null) return Future.failedFuture(e);
            AuditEntry owed = entry(ctx, action, p, "allowed", reason + UNWRITTEN_BEFORE_ANSWER, status, query, hitCount, readIds);
            LOG.warn("{} by {}: {}", action, owed.user(), owed.reason());
            return Corrections.owe(log, owed, action + " after the change recorded as audit " + ctx.get(INTENT_AUDIT_ID))
                    .compose(v -> Future.failedFuture(e));
        });
    }

    /** The end of the reason of a record the trail owes because it could not be written before its request's answer. */
    private static final String UNWRITTEN_BEFORE_ANSWER = " (answered " + Corrections.UNAVAILABLE + ": this record could not be written before the answer)";

    /**
     * Writes the record of an allowed read or change; completes with its audit id. If the write
     * fails, the request is answered 503 (fail closed: the read is not sent, the change not made),
     * but the record may be in the trail all the same (its seq spent: journaled while the index
     * refused it, or indexed while the journal failed), where it would say "allowed". Then a
     * {@value Corrections#REQUEST} naming it — failed, 503, no reads — is written first, as a record
     * the trail owes ({@link Corrections}, as a search's is); the future fails after it, with the
     * write's failure, and the failure handler answers the 503.
     *
     * @param consequence what the 503 meant for the request, for the correction's reason
     */
    private Future<String> writeOrCorrect(AuditEntry entry, String consequence) {
        return log.record(entry).map(AuditRecord::auditId).recover(e -> {
            AuditEntry correction = Corrections.ofUnwritten(entry, e, Corrections.REQUEST, entry.action(),
                    "the request was answered 503 and " + consequence);
            if (correction == null) return Future.failedFuture(e);
            LOG.warn("{} by {}: {}", entry.action(), entry.user(), correction.reason());
            return Corrections.owe(log, correction, entry.action() + " " + Corrections.recordedAs(e))
                    .compose(v -> Future.failedFuture(e));
        });
    }

    /**
     * A request whose work was done and recorded, then answered 500 because its answer could not be
     * written ({@link org.platewarden.core.net.AnswerNotWrittenException}); completes, never failed,
     * with the audit id the 500 names (null: none). Its record says {@code allowed}:
     * <ul>
     * <li>a search's ({@code answer} the search service's 200 with its {@code audit_id}) listed the
     * page's reads, and a read's (a report, a list, a view) said it was served: a correction follows,
     * {@value Corrections#SEARCH} or {@value Corrections#REQUEST}, outcome failed, status 500, no
     * reads, naming the record ({@link Corrections#ofUnanswered}), written before the 500 as a record
     * the trail owes, as the correction of a 503 is — the trail never says a page was shown that was not;</li>
     * <li>a change's record (its intent) is true as it stands — the change was made, only its answer
     * was lost — so nothing follows it, and the 500 names it: the caller finds there that it need not
     * make the change again.</li>
     * </ul>
     */
    Future<String> recordUnanswered(RoutingContext ctx, Object answer, String errorId) {
        String intent = ctx.get(INTENT_AUDIT_ID);
        if (intent != null) return Future.succeededFuture(intent);
        AuditEntry correction = null;
        String corrected = null;
        if (answer instanceof SearchResponse search && search.body() != null && search.body().getValue("audit_id") instanceof String searchId) {
            // a refusal's record (or the summary counting it) already says nothing was shown
            if (search.status() >= 400) return Future.succeededFuture(searchId);
            corrected = searchId;
            // the search service's record: its caller, the body's purpose and case number, its total
            Object total = search.body().getValue("total");
            AuditEntry searched = entry(ctx, ctx.get(PRINCIPAL), "allowed", null, search.status(), null,
                    total instanceof Number n ? (int) Math.min(Integer.MAX_VALUE, n.longValue()) : 0, List.of());
            correction = Corrections.ofUnanswered(searched, searchId, Corrections.SEARCH, "search", errorId, "no reads were returned");
        } else if (ctx.get(ANSWER_RECORD) instanceof AuditEntry served && ctx.get(ANSWER_AUDIT_ID) instanceof String servedId) {
            corrected = servedId;
            correction = Corrections.ofUnanswered(served, servedId, Corrections.REQUEST, served.action(), errorId, "nothing was returned");
        }
        if (correction == null) return Future.succeededFuture(ctx.get(ANSWER_AUDIT_ID));
        String named = corrected;
        LOG.warn("{} by {}: {}", correction.action(), correction.user(), correction.reason());
        return Corrections.owe(log, correction, correction.action() + " of " + named).map(v -> named);
    }

    /**
     * A request that ends in an error status (refused before or by its handler); completes with the
     * record's audit id. A change that fails after its intent record says so in its reason, naming
     * that record: an auditor who finds the "allowed" intent finds its failure by that id. When it
     * failed because Elasticsearch did not answer in time, the reason says the change may have been
     * made ({@link Corrections#failedChange}): Elasticsearch may carry out what it did not answer.
     *
     * <p>A request that names no authenticated caller and is over the budget for individual records
     * ({@link AnonymousSummaries}) gets no record of its own: it is counted into its client address's
     * {@code anonymous_summary} record of the window, and the future completes with that record's audit
     * id, marked counted (the record is written when the window closes). So is an authenticated
     * caller's refusal (400, 403, 404, 413) past its budget ({@link RefusedSummaries}), into its
     * {@code refused_summary}; never the failure of a change whose intent is recorded, which an auditor
     * reads with that record.
     *
     * <p>That failure record is owed to the trail: without it the intent would stand alone and say the
     * change was made. So when its write fails and leaves it in neither copy (the trail saturated, the
     * index's backlog not yet re-sent, the journal refusing it), it is written again as a record the
     * trail owes ({@link AuditLog#recordOwed}) with the status the caller then gets, 503, before the
     * future fails.
     */
    Future<FailureRecord> recordFailure(RoutingContext ctx, int status, Throwable failure, String reason) {
        Principal known = ctx.get(PRINCIPAL);
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        String intent = ctx.get(INTENT_AUDIT_ID);
        String fullReason = intent == null ? reason : Corrections.failedChange(intent, failure, reason);
        // a request refused before authentication (413, 400) still names its caller when the token is good
        Future<Principal> principal = known != null || status == 401 || header == null
                ? Future.succeededFuture(known)
                : authenticator.authenticate(header).otherwise((Principal) null);
        return principal
                .compose(p -> {
                    if (p != null) {
                        AuditEntry entry = entry(ctx, p, outcomeFor(status), fullReason, status, ctx.get(QUERY), 0, List.of());
                        RecordBudget.Decision decision = intent == null ? refused.admit(entry) : RecordBudget.Decision.OWN_RECORD;
                        if (!decision.ownRecord()) return Future.succeededFuture(FailureRecord.inSummary(decision));
                        return log.record(entry).map(r -> new FailureRecord(r.auditId(), false)).recover(e -> {
                            if (!AuditUnavailableException.leftNoRecord(e)) return Future.failedFuture(e);
                            // answered 503 without its record: counted into its caller's summary rather than left out
                            // (unless the record is in the trail after all: then it is not missing from it)
                            if (intent == null) {
                                refused.countUnrecorded(entry);
                                return Future.failedFuture(e);
                            }
                            AuditEntry owed = entry(ctx, p, Corrections.FAILED, fullReason + UNWRITTEN_BEFORE_ANSWER, Corrections.UNAVAILABLE,
                                    ctx.get(QUERY), 0, List.of());
                            LOG.warn("{} by {}: {}", owed.action(), owed.user(), owed.reason());
                            return Corrections.owe(log, owed, "the failed change recorded as audit " + intent)
                                    .compose(v -> Future.<FailureRecord>failedFuture(e));
                        });
                    }
                    RecordBudget.Decision decision = anonymous.admit(client(ctx).address(), ctx.get(ACTION), status);
                    if (!decision.ownRecord()) return Future.succeededFuture(FailureRecord.inSummary(decision));
                    // the trail's share for such requests full (a flood): answered 503 without a record
                    // of its own, so it is counted into its address's summary rather than left out
                    return write(ctx, null, outcomeFor(status), fullReason, status, ctx.get(QUERY), 0)
                            .map(id -> new FailureRecord(id, false))
                            .onFailure(e -> {
                                if (AuditUnavailableException.leftNoRecord(e)) anonymous.countUnrecorded(client(ctx).address(), ctx.get(ACTION), 503);
                            });
                })
                .onSuccess(v -> ctx.put(AUDITED, true));
    }

    /**
     * The record an error answer names: its own ({@code counted} false), or the summary record that
     * counts it, written when its window closes ({@code counted}: the answer says {@code "audit":"counted"}).
     */
    record FailureRecord(String auditId, boolean counted) {
        static FailureRecord inSummary(RecordBudget.Decision decision) {
            return new FailureRecord(decision.countedAs(), true);
        }
    }

    static String outcomeFor(int status) {
        return AuditVocabulary.outcomeFor(status);
    }

    /** Writes the record; completes with its audit id. */
    private Future<String> write(RoutingContext ctx, Principal p, String outcome, String reason, int status, JsonNode query, int hitCount) {
        return log.record(entry(ctx, p, outcome, reason, status, query, hitCount, List.of())).map(AuditRecord::auditId);
    }

    private AuditEntry entry(RoutingContext ctx, Principal p, String outcome, String reason, int status, JsonNode query, int hitCount,
                             List<String> readIds) {
        return entry(ctx, ctx.get(ACTION), p, outcome, reason, status, query, hitCount, readIds);
    }

    private AuditEntry entry(RoutingContext ctx, String action, Principal p, String outcome, String reason, int status, JsonNode query,
                             int hitCount, List<String> readIds) {
        JsonNode q = query != null ? query : requestDescription(ctx);
        String purpose = ctx.get(PURPOSE);
        String caseNumber = ctx.get(CASE_NUMBER);
        boolean filter = Boolean.TRUE.equals(ctx.get(QUERY_IS_FILTER));
        if (!filter && purpose == null && q != null && q.path("purpose").isTextual()) purpose = q.path("purpose").asText();
        if (!filter && caseNumber == null && q != null && q.path("case_number").isTextual()) caseNumber = q.path("case_number").asText();
        return new AuditEntry(action, p == null ? AuditEntry.ANONYMOUS : p.user(), p == null ? null : p.agency(),
                p == null ? Set.of() : p.roles(), purpose, caseNumber, q, null, outcome, reason, status, hitCount, readIds)
                .withAuthMethod(p == null ? null : p.authMethod()).from(client(ctx));
    }

    /**
     * What the request asked for when no handler parsed it: a JSON object body as is, otherwise the
     * method, path, query string and the start of the body (a body whose keys repeat is described
     * by its text: parsed, it would keep only the last value of each key, and the record would not
     * show what was sent); either way with the route's path parameters (a hold's {@code hold_id}),
     * so a request refused before its handler (401, 403) still names what it was aimed at, and with
     * its query string ({@code query_string}, beside a JSON body too).
     */
    private static JsonNode requestDescription(RoutingContext ctx) {
        JsonNode described = bodyOrRequestLine(ctx);
        if (described instanceof ObjectNode o) {
            ctx.pathParams().forEach((name, value) -> {
                if (!o.has(name)) o.put(name, value);
            });
            // beside a JSON body too: a query string is refused (NoQueryString), and the record shows what was sent
            String queryString = ctx.request().query();
            if (queryString != null && !queryString.isEmpty() && !o.has("query_string")) o.put("query_string", queryString);
        }
        return described;
    }

    private static JsonNode bodyOrRequestLine(RoutingContext ctx) {
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        if (body != null && body.length() > 0 && !Boolean.TRUE.equals(ctx.get(UNPARSEABLE)) && StrictJsonBody.refusal(body) == null) {
            try {
                Object value = Json.decodeValue(body);
                if (value instanceof JsonObject o) return CanonicalJson.parse(o.encode());
            } catch (RuntimeException notJson) {
                // described below
            }
        }
        ObjectNode d = CanonicalJson.MAPPER.createObjectNode();
        d.put("method", ctx.request().method().name());
        d.put("path", ctx.request().path());
        if (ctx.request().query() != null) d.put("query_string", ctx.request().query());
        if (body != null && body.length() > 0) {
            String text = body.toString();
            d.put("body_prefix", text.length() > BODY_PREFIX_CHARS ? text.substring(0, BODY_PREFIX_CHARS) : text);
        }
        return d;
    }

    /** Where the request came from: its peer, or the client a trusted proxy named (found once per request). */
    ClientAddress client(RoutingContext ctx) {
        ClientAddress known = ctx.get(CLIENT);
        if (known != null) return known;
        SocketAddress remote = ctx.request().remoteAddress();
        ClientAddress client = forwardedFor.resolve(remote == null ? null : remote.hostAddress(), ctx.request().headers().getAll(ForwardedFor.HEADER));
        ctx.put(CLIENT, client);
        return client;
    }
}
