package org.platewarden.search.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import org.platewarden.core.config.SearchConfig;
import org.platewarden.core.net.Answers;
import org.platewarden.search.access.SearchAccessPolicy;
import org.platewarden.search.audit.CanonicalJson;
import org.platewarden.search.auth.ForbiddenException;
import org.platewarden.search.auth.Principal;

/**
 * {@code POST /v1/holds}, {@code GET /v1/holds}, {@code DELETE /v1/holds/{id}},
 * {@code POST /v1/holds/{id}/extend}. A creation, release or extension is recorded before it is
 * made (no change without a record), and everything that can refuse it without making it is asked
 * first — purpose and case number, the hold service's own checks, for a release or extension that
 * the hold exists and is the caller's agency's — so a refused request
 * leaves exactly one record, with its real outcome, and an "allowed" record means the change was
 * attempted. Every record of one hold carries its id as {@code query.hold_id}: a creation's id is
 * drawn before its record, so creation and release can be joined on it.
 */
final class HoldRoutes {
    /** the path parameter and the {@code query} field that name a hold in its records */
    static final String HOLD_ID = "hold_id";
    private final HoldsApi holds;
    private final RequestAudit audit;
    private final SearchConfig config;
    private final Set<String> prohibited;

    HoldRoutes(HoldsApi holds, RequestAudit audit, SearchConfig config) {
        this.holds = holds;
        this.audit = audit;
        this.config = config;
        this.prohibited = SearchAccessPolicy.prohibitedSpellings(config);
    }

    void create(RoutingContext ctx) {
        JsonObject body = SearchApiVerticle.jsonObjectBody(ctx);
        ctx.put(RequestAudit.QUERY, SearchApiVerticle.toJackson(body));
        String caseNumber = body.getValue("case_number") instanceof String s ? s : null;
        ctx.put(RequestAudit.CASE_NUMBER, caseNumber);
        String purpose = purpose(ctx, body);
        if (caseNumber == null || caseNumber.isBlank()) throw new IllegalArgumentException("case_number is required");
        if (!SearchAccessPolicy.validCaseNumber(caseNumber)) throw new IllegalArgumentException(SearchAccessPolicy.CASE_NUMBER_RULE);
        printable(body, "reason");
        lawful(purpose);
        Principal principal = ctx.get(RequestAudit.PRINCIPAL);
        holds.check(principal, body);
        String holdId = holds.newHoldId();
        // the body as received plus the id the hold will have; a failure record after the intent carries it too
        ObjectNode query = SearchApiVerticle.toJackson(body).put("hold_id", holdId);
        ctx.put(RequestAudit.QUERY, query);
        Answers.answer(ctx, holds.checkMatches(principal, body)
                .compose(v -> audit.recordIntent(ctx, 201, query))
                .compose(v -> holds.create(principal, holdId, body))
                .compose(created -> recordKept(ctx, holdId, created).map(created.hold())),
                (c, hold) -> Responses.json(c, 201, hold));
    }

    /** The action of the record that names what a hold's creation kept. */
    static final String COPY_ACTION = "hold_copy";

    /**
     * After the copy, before the 201: what the hold kept, in the never-deleted chain — its creation's
     * record is written before any read is copied, so it names none. A {@value #COPY_ACTION} record
     * with the hold's id and case number, {@code hit_count} = the held copies and {@code read_ids} =
     * their read ids (at most {@link HoldsApi#MAX_RELEASE_READ_IDS}, as a release's record). If it
     * cannot be written the hold stands, copies made (it is not undone: the trail would otherwise
     * need a release naming what it deleted); the record is then in the trail (it reached one copy)
     * or owed ({@link RequestAudit#recordFollowUp}), and the answer is a 503 that names the hold, so
     * the supervisor finds it rather than creating it again.
     */
    private io.vertx.core.Future<Void> recordKept(RoutingContext ctx, String holdId, HoldsApi.Created created) {
        ObjectNode query = CanonicalJson.MAPPER.createObjectNode().put(HOLD_ID, holdId);
        String reason = "the reads hold " + holdId + " keeps: " + created.count() + " copied";
        String listed = HoldsApi.readIdsNote(created.count(), created.readIds().size());
        if (listed != null) reason += "; " + listed;
        return audit.recordFollowUp(ctx, COPY_ACTION, 201, query, (int) Math.min(Integer.MAX_VALUE, created.count()), created.readIds(), reason)
                .recover(e -> {
                    ctx.put(RequestAudit.AUDITED, true);
                    return io.vertx.core.Future.failedFuture(new ServiceUnavailableException("audit trail unavailable: hold " + holdId
                            + " was created and keeps " + created.count() + " reads, but the record of what it keeps could not be written"
                            + " before this answer (the audit trail writes it ahead of its next records); do not create the hold again:"
                            + " GET /v1/holds lists it"));
                });
    }

    /**
     * Moves an active hold's {@code until} later: a purpose and a reason (why the investigation
     * still needs the reads) are required as for a creation; the record carries the hold's case
     * number and {@code query.hold_id}, so an auditor sees every renewal of a hold.
     */
    void extend(RoutingContext ctx) {
        String id = ctx.pathParam(HOLD_ID);
        JsonObject body = SearchApiVerticle.jsonObjectBody(ctx);
        ObjectNode query = SearchApiVerticle.toJackson(body).put(HOLD_ID, id);
        ctx.put(RequestAudit.QUERY, query);
        lawful(purpose(ctx, body));
        printable(body, "reason");
        if (!(body.getValue("reason") instanceof String reason) || reason.isBlank()) {
            throw new IllegalArgumentException("reason is required: why the investigation needs the reads for longer");
        }
        Principal principal = ctx.get(RequestAudit.PRINCIPAL);
        Answers.answer(ctx, holds.checkExtension(principal, id, body)
                .compose(hold -> audit.recordIntent(ctx, 200, query))
                .compose(v -> holds.extend(principal, id, body)), Responses::json200);
    }

    /**
     * Before a release's or extension's body is looked at: the hold must exist and be the caller's
     * agency's (else a 404 with one record, not an intent followed by its failure), and its case
     * number goes on every record of the request — a refused one too (an unreadable body, a
     * repeated key, a prohibited purpose), so an auditor who follows a case sees every attempt.
     */
    void findHold(RoutingContext ctx) {
        Answers.proceed(ctx, holds.find(ctx.get(RequestAudit.PRINCIPAL), ctx.pathParam(HOLD_ID))
                .map(hold -> ctx.put(RequestAudit.CASE_NUMBER, hold.getString("case_number"))));
    }

    /** The request's purpose, put on the record (under its configured name); refused when missing. */
    private String purpose(RoutingContext ctx, JsonObject body) {
        String purpose = body.getValue("purpose") instanceof String s ? s : null;
        ctx.put(RequestAudit.PURPOSE, SearchAccessPolicy.recordedPurpose(config, purpose));
        if (purpose == null || purpose.isBlank()) throw new IllegalArgumentException("purpose is required");
        return purpose;
    }

    private void lawful(String purpose) {
        // in any spelling, as for searches
        if (prohibited.contains(SearchAccessPolicy.spelling(purpose))) throw new ForbiddenException(SearchAccessPolicy.prohibitedPurpose(purpose, "holds"));
        if (!config.allowedPurposes().contains(purpose)) {
            throw new IllegalArgumentException(SearchAccessPolicy.unknownPurpose(purpose, java.util.Set.copyOf(config.allowedPurposes())));
        }
    }

    void list(RoutingContext ctx) {
        Principal principal = ctx.get(RequestAudit.PRINCIPAL);
        Answers.answer(ctx, holds.list(principal).compose(list -> audit.recordAllowed(ctx, 200, null, list.size()).map(list)),
                (c, list) -> Responses.json(c, 200, new JsonObject().put("holds", list)));
    }

    /** What a release's body may hold: why the hold is released. */
    private static final Set<String> RELEASE_FIELDS = Set.of("reason");

    /**
     * Releases a hold. An optional body {@code {"reason":"…"}} says why (kept in the record's
     * {@code query.reason}); any other field is refused (400, audited), not ignored. The record,
     * written before the release, names what the release deletes: {@code hit_count} = the hold's held
     * copies, {@code read_ids} = their read ids (at most {@link HoldsApi#MAX_RELEASE_READ_IDS}; the
     * record's reason says when there are more).
     */
    void release(RoutingContext ctx) {
        String id = ctx.pathParam(HOLD_ID);
        ObjectNode query = CanonicalJson.MAPPER.createObjectNode();
        io.vertx.core.buffer.Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
        JsonObject body = raw == null || raw.toString().isBlank() ? null : SearchApiVerticle.jsonObjectBody(ctx);
        if (body != null) query.setAll(SearchApiVerticle.toJackson(body));
        query.put(HOLD_ID, id);
        ctx.put(RequestAudit.QUERY, query);
        if (body != null) {
            for (String field : body.fieldNames()) {
                if (!RELEASE_FIELDS.contains(field)) {
                    throw new IllegalArgumentException("unknown field '" + field + "': a release takes " + new java.util.TreeSet<>(RELEASE_FIELDS));
                }
            }
            if (!(body.getValue("reason") instanceof String reason) || reason.isBlank()) {
                throw new IllegalArgumentException("reason must be a non-empty string (or leave the body out)");
            }
            printable(body, "reason");
        }
        Principal principal = ctx.get(RequestAudit.PRINCIPAL);
        io.vertx.core.Future<JsonObject> released = holds.heldReads(principal, id)
                .compose(held -> {
                    long count = held.getLong("count", 0L);
                    java.util.List<String> readIds = held.getJsonArray("read_ids", new io.vertx.core.json.JsonArray()).stream()
                            .map(String::valueOf).toList();
                    return audit.recordIntent(ctx, 200, query, (int) Math.min(Integer.MAX_VALUE, count), readIds,
                            HoldsApi.readIdsNote(count, readIds.size()));
                })
                .compose(v -> holds.release(principal, id));
        Answers.answer(ctx, released, Responses::json200);
    }

    /**
     * A free-text field (a hold's reason) may not hold control characters: it is copied into logs,
     * where a line break would forge a log line, and into CSV reports and records. At most 1 000 characters.
     */
    private static void printable(JsonObject body, String field) {
        if (!(body.getValue(field) instanceof String text)) return;
        if (text.length() > 1000) throw new IllegalArgumentException(field + " is longer than 1000 characters");
        if (text.codePoints().anyMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029)) {
            throw new IllegalArgumentException(field + " may not hold control characters or line breaks");
        }
    }
}
