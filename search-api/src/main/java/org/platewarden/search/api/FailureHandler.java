package org.platewarden.search.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import org.platewarden.core.config.ConfigException;
import org.platewarden.core.config.ConfigReload;
import org.platewarden.core.log.ThrottledWarning;
import org.platewarden.core.net.AnswerNotWrittenException;
import org.platewarden.core.net.Answers;
import org.platewarden.search.audit.AuditUnavailableException;
import org.platewarden.search.auth.AuthenticationException;
import org.platewarden.search.auth.ForbiddenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place failures become HTTP: {@link IllegalArgumentException} → 400, authentication → 401
 * (with {@code WWW-Authenticate: Bearer}), {@link ForbiddenException} → 403,
 * {@link NoSuchElementException} → 404, a status set by Vert.x (413 from the body limit, …) as is,
 * audit trail unavailable, a full queue or Elasticsearch unavailable — refusing connections, not
 * answering in time (each of a route's Elasticsearch calls is bounded: {@code search.es_request_timeout_ms})
 * or answering that it cannot serve ({@link ElasticsearchFailure}) → 503 with
 * {@code Retry-After}, anything else → 500 with
 * an error id that is logged with the stack trace (clients never see one). An audited route's
 * failure is itself audited before the response, and the error body carries that record's
 * {@code audit_id}; if the record cannot be written the answer is 503 instead (without one). A
 * request without an authenticated caller that is over the budget for individual records gets the
 * same answer, its {@code audit_id} naming the {@code anonymous_summary} record of its address that
 * counts it, with {@code "audit":"counted"} (that record is written when the window closes:
 * {@link AnonymousSummaries}); so does an authenticated caller's refusal past its per-user budget,
 * counted into its {@code refused_summary} record ({@link RefusedSummaries}).
 *
 * <p>A route's answer that throws as it is written, after its work was done and recorded
 * ({@link org.platewarden.core.net.Answers}: an {@link AnswerNotWrittenException}), is a 500 here too,
 * logged with the request's audit id; its record is corrected first where it says a page or a read was
 * shown ({@link RequestAudit#recordUnanswered}).
 */
final class FailureHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);
    private final RequestAudit audit;
    /** a flood of refused requests (the audit trail saturated) would write one line each */
    private final ThrottledWarning unavailable = new ThrottledWarning(LOG::warn, 10, java.util.concurrent.TimeUnit.SECONDS, System::nanoTime);

    private final int bodyLimitBytes;

    /** @param bodyLimitBytes {@code search.http_body_limit_bytes}, named in a 413 so the caller knows the bound */
    FailureHandler(RequestAudit audit, int bodyLimitBytes) {
        this.audit = audit;
        this.bodyLimitBytes = bodyLimitBytes;
    }

    /** Logs the count of 503 warnings left out since the last line (see {@link ThrottledWarning#flush}). */
    void flushWarnings(boolean force) {
        unavailable.flush(force);
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (ctx.response().ended()) return;
        Throwable failure = unwrap(ctx.failure());
        if (failure instanceof AnswerNotWrittenException notWritten) {
            answerNotWritten(ctx, notWritten);
            return;
        }
        int status = statusOf(failure, ctx.statusCode());
        String errorId = null;
        String message;
        if (status == 500) {
            errorId = UUID.randomUUID().toString();
            LOG.error("error {} on {} {}", errorId, ctx.request().method(), ctx.request().path(), failure);
            message = INTERNAL_ERROR;
        } else {
            message = status == 413 ? "request body too large (at most " + bodyLimitBytes + " bytes)"
                    : ElasticsearchFailure.unavailable(failure) ? ElasticsearchFailure.message(failure, ctx.get(RequestAudit.INTENT_AUDIT_ID) != null)
                    : clientMessage(failure, status);
            if (status == 503) unavailable.warn("503 on " + ctx.request().method() + " " + ctx.request().path() + ": " + (failure == null ? "" : failure.toString()));
        }
        boolean audited = ctx.get(RequestAudit.ACTION) != null
                && !Boolean.TRUE.equals(ctx.get(RequestAudit.AUDITED))
                && !(failure instanceof AuditUnavailableException);
        String id = errorId;
        if (!audited) {
            respond(ctx, status, message, id, null, false);
            return;
        }
        // the answer names the record that describes it, as a search's answer does
        // a change under way says what became of it in its record's own words (Corrections.failedChange)
        String reason = ElasticsearchFailure.unavailable(failure) ? ElasticsearchFailure.reason(failure) : id == null ? message : message + " " + id;
        audit.recordFailure(ctx, status, failure, reason).onComplete(recorded -> {
            if (recorded.succeeded()) {
                respondOrLastResort(ctx, status, message, id, recorded.result().auditId(), recorded.result().counted());
                return;
            }
            unavailable.warn("audit of a failed request failed; answering 503: " + recorded.cause());
            // Elasticsearch down or hung is told as such, record or not (the trail's index is in it too),
            // and a change under way is told what became of it; the record, journaled, follows
            respondOrLastResort(ctx, 503, ElasticsearchFailure.unavailable(failure) ? message : "audit trail unavailable", null, null, false);
        });
    }

    /**
     * The work was done and recorded, and its answer could not be written (a throw while it was built
     * or sent: {@link org.platewarden.core.net.Answers}): a 500 with an error id, logged with the stack
     * trace and the audit id of the request's record, after the record is corrected where it says more
     * was shown than was ({@link RequestAudit#recordUnanswered}); the 500 names that record.
     */
    private void answerNotWritten(RoutingContext ctx, AnswerNotWrittenException notWritten) {
        String errorId = UUID.randomUUID().toString();
        String recorded = ctx.get(RequestAudit.ANSWER_AUDIT_ID);
        if (recorded == null && notWritten.answer() instanceof SearchResponse search && search.body() != null
                && search.body().getValue("audit_id") instanceof String searchId) recorded = searchId;
        LOG.error("error {} on {} {}: its answer could not be written{}", errorId, ctx.request().method(), ctx.request().path(),
                recorded == null ? "" : " (audit " + recorded + ")", notWritten.getCause());
        // headers the writer set for the answer it did not finish (a CSV's Content-Disposition …) are not the 500's
        ctx.response().headers().clear();
        if (ctx.get(RequestAudit.ACTION) == null) {
            respondOrLastResort(ctx, 500, INTERNAL_ERROR, errorId, null, false);
            return;
        }
        audit.recordUnanswered(ctx, notWritten.answer(), errorId)
                .onComplete(named -> respondOrLastResort(ctx, 500, INTERNAL_ERROR, errorId, named.result(), false));
    }

    private static final String INTERNAL_ERROR = "internal error";

    /** {@link #respond} from a callback: a throw there would leave the request unanswered, so a bare 500 instead. */
    private static void respondOrLastResort(RoutingContext ctx, int status, String message, String errorId, String auditId, boolean counted) {
        Answers.lastResort(ctx, () -> respond(ctx, status, message, errorId, auditId, counted),
                "{\"error\":\"" + INTERNAL_ERROR + "\",\"status\":500}");
    }

    private static void respond(RoutingContext ctx, int status, String message, String errorId, String auditId, boolean counted) {
        if (status == 401) {
            // RFC 6750 3.1: error="invalid_token" for a bearer token refused; a request without one (no
            // header, or another scheme such as Basic) gets the challenge alone
            String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
            boolean bearer = header != null && header.trim().regionMatches(true, 0, "Bearer", 0, 6);
            ctx.response().putHeader("WWW-Authenticate", bearer ? "Bearer realm=\"platewarden\", error=\"invalid_token\"" : "Bearer realm=\"platewarden\"");
        }
        if (status == 503 || status == 429) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, status == 503 ? "1" : "60");
        }
        Responses.error(ctx, status, message, errorId, auditId, counted);
    }

    /** Backends built on CompletableFuture fail with the real cause wrapped. */
    static Throwable unwrap(Throwable failure) {
        Throwable f = failure;
        while ((f instanceof java.util.concurrent.CompletionException || f instanceof java.util.concurrent.ExecutionException) && f.getCause() != null) {
            f = f.getCause();
        }
        return f;
    }

    static int statusOf(Throwable failure, int contextStatus) {
        if (failure == null) return contextStatus >= 400 ? contextStatus : 500;
        if (failure instanceof HttpException http) return http.getStatusCode();
        if (failure instanceof IllegalArgumentException) return 400;
        if (failure instanceof AuthenticationException) return 401;
        if (failure instanceof ForbiddenException) return 403;
        if (failure instanceof NoSuchElementException) return 404;
        // a configuration reload: the file is invalid (nothing changed), or another reload came first
        if (failure instanceof ConfigException) return 422;
        if (failure instanceof ConfigReload.ReloadConflictException) return 409;
        if (failure instanceof AuditUnavailableException || failure instanceof ServiceUnavailableException
                || failure instanceof RejectedExecutionException || ElasticsearchFailure.unavailable(failure)) return 503;
        return contextStatus >= 400 && contextStatus != 500 ? contextStatus : 500;
    }

    private static String clientMessage(Throwable failure, int status) {
        if (failure instanceof AuditUnavailableException) return "audit trail unavailable";
        if (failure instanceof ConfigException invalid) return ConfigReload.problems(invalid);
        if (failure == null || failure.getMessage() == null) {
            return switch (status) {
                case 400 -> "bad request";
                case 401 -> "unauthorized";
                case 403 -> "forbidden";
                case 404 -> "not found";
                default -> "request failed";
            };
        }
        return failure.getMessage();
    }
}
