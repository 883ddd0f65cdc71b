package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.ext.web.handler.HttpException;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.platewarden.search.audit.AuditUnavailableException;
import org.platewarden.search.audit.AuditVocabulary;
import org.platewarden.search.auth.AuthenticationException;
import org.platewarden.search.auth.ForbiddenException;

class FailureHandlerTest {
    private static int status(Throwable t, int contextStatus) {
        return FailureHandler.statusOf(FailureHandler.unwrap(t), contextStatus);
    }

    @Test
    void oneMappingFromFailureToStatus() {
        assertEquals(400, status(new IllegalArgumentException("x"), -1));
        assertEquals(401, status(new AuthenticationException("x"), -1));
        assertEquals(403, status(new ForbiddenException("x"), -1));
        assertEquals(404, status(new NoSuchElementException("x"), -1));
        assertEquals(503, status(new AuditUnavailableException("x", true, null), -1));
        assertEquals(503, status(new ServiceUnavailableException("x"), -1));
        assertEquals(413, status(null, 413));
        assertEquals(413, status(new HttpException(413), -1));
        assertEquals(500, status(new IllegalStateException("x"), -1));
        assertEquals(500, status(null, -1));
        // causes wrapped by CompletableFuture-based backends are unwrapped
        assertEquals(400, status(new CompletionException(new IllegalArgumentException("x")), -1));
        assertEquals(404, status(new CompletionException(new NoSuchElementException("x")), -1));
    }

    /** The public transparency report with Elasticsearch down: 503 to retry, not 500 with a stack trace. */
    @Test
    void anElasticsearchThatDoesNotAnswerIsA503() {
        Throwable refused = FailureHandler.unavailableWhenBackendDown(new java.net.ConnectException("Connection refused"), "transparency report");
        assertEquals(503, status(refused, -1));
        assertEquals("transparency report unavailable: Elasticsearch did not answer (Connection refused)", refused.getMessage());
        assertEquals(503, status(FailureHandler.unavailableWhenBackendDown(
                new CompletionException(new org.platewarden.search.audit.EsRest.EsException(503, "GET /x", "")), "r"), -1));
        // Elasticsearch refusing the request (4xx) and bugs stay what they are
        assertEquals(500, status(FailureHandler.unavailableWhenBackendDown(
                new org.platewarden.search.audit.EsRest.EsException(400, "GET /x", "bad"), "r"), -1));
        assertEquals(500, status(FailureHandler.unavailableWhenBackendDown(new IllegalStateException("bug"), "r"), -1));
    }

    /**
     * A route's Elasticsearch call that timed out, whichever backend made it — the search API's own
     * async calls, the hold service's and index views' blocking ones (wrapped by their pool) — is a
     * 503 to retry; so is one that waited for a connection from the pool. The audit trail's own write
     * keeps its answer, and a connection refused, a failed request or a bug stay what they were.
     */
    @Test
    void anElasticsearchCallThatTimedOutIsA503WhateverMadeIt() {
        java.net.SocketTimeoutException noAnswer = new java.net.SocketTimeoutException("1,500 milliseconds timeout on connection http-outgoing-3");
        Throwable asyncCall = new java.io.IOException("GET /x: Elasticsearch did not answer within 1500 ms", noAnswer);
        Throwable blockingCall = new CompletionException(new java.io.UncheckedIOException("POST /y", noAnswer));
        Throwable noConnection = new org.apache.http.conn.ConnectionPoolTimeoutException("Timeout waiting for connection from pool");
        for (Throwable timedOut : List.of(asyncCall, blockingCall, noConnection)) {
            assertEquals(503, status(timedOut, -1), timedOut.toString());
            assertTrue(FailureHandler.elasticsearchTimedOut(FailureHandler.unwrap(timedOut)), timedOut.toString());
        }
        assertEquals("Elasticsearch did not answer in time; retry later", FailureHandler.notAnsweredInTime(false));
        assertTrue(FailureHandler.notAnsweredInTime(true).contains("it may have been made, in part or in full; look before retrying"));
        AuditUnavailableException auditWrite = new AuditUnavailableException("audit index write timed out", false, noAnswer);
        assertEquals(false, FailureHandler.elasticsearchTimedOut(auditWrite));
        assertEquals(500, status(new java.io.UncheckedIOException("POST /y", new java.net.ConnectException("Connection refused")), -1));
        assertEquals(500, status(new IllegalStateException("bug"), -1));
    }

    @Test
    void outcomeFollowsTheStatus() {
        assertEquals("invalid", RequestAudit.outcomeFor(400));
        assertEquals("invalid", RequestAudit.outcomeFor(413));
        assertEquals("unauthorized", RequestAudit.outcomeFor(401));
        assertEquals("refused", RequestAudit.outcomeFor(403));
        // a hold that is not the caller's agency's (or none): turned away, not a server failure
        assertEquals("refused", RequestAudit.outcomeFor(404));
        assertEquals("rate_limited", RequestAudit.outcomeFor(429));
        assertEquals("failed", RequestAudit.outcomeFor(500));
        // auditors filter on these: each must be one GET /v1/audit accepts
        for (int status : new int[] {400, 401, 403, 404, 413, 429, 500, 503}) {
            assertTrue(AuditVocabulary.OUTCOMES.contains(RequestAudit.outcomeFor(status)), RequestAudit.outcomeFor(status));
        }
    }
}
