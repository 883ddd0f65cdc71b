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

    /**
     * Elasticsearch unavailable, whichever backend made the call — the search API's own async calls,
     * the hold service's and index views' blocking ones (wrapped by their pool) — is a 503 to retry,
     * not a 500 with a stack trace: a connection refused (the cluster down), a call that timed out or
     * waited for a connection from the pool, a connection broken before the answer, an answer that it
     * cannot serve (5xx, 429). Elasticsearch refusing the request (4xx), a bug, and the audit trail's
     * own write keep their answers.
     */
    @Test
    void anElasticsearchThatIsDownOrDoesNotAnswerIsA503WhateverMadeTheCall() {
        java.net.SocketTimeoutException noAnswer = new java.net.SocketTimeoutException("1,500 milliseconds timeout on connection http-outgoing-3");
        java.net.ConnectException refused = new java.net.ConnectException("Connection refused");
        List<Throwable> unavailable = List.of(
                new java.io.IOException("GET /x: Elasticsearch did not answer within 1500 ms", noAnswer),
                new CompletionException(new java.io.UncheckedIOException("POST /y", noAnswer)),
                new org.apache.http.conn.ConnectionPoolTimeoutException("Timeout waiting for connection from pool"),
                refused,
                new CompletionException(new java.io.UncheckedIOException("Elasticsearch unreachable for POST /y", refused)),
                new org.apache.http.ConnectionClosedException("Connection closed unexpectedly"),
                new org.platewarden.search.audit.EsRest.EsException(503, "GET /x", ""),
                new CompletionException(new org.platewarden.indexer.EsRest.EsCallException("POST /y", 429,
                        com.fasterxml.jackson.databind.node.MissingNode.getInstance())));
        for (Throwable failure : unavailable) {
            assertEquals(503, status(failure, -1), failure.toString());
            assertTrue(ElasticsearchFailure.unavailable(FailureHandler.unwrap(failure)), failure.toString());
        }
        assertEquals(500, status(new org.platewarden.search.audit.EsRest.EsException(400, "GET /x", "bad"), -1));
        assertEquals(500, status(new IllegalStateException("bug"), -1));
        AuditUnavailableException auditWrite = new AuditUnavailableException("audit index write timed out", false, noAnswer);
        assertEquals(false, ElasticsearchFailure.unavailable(auditWrite));
    }

    /**
     * What the answer says: retry later; for a change under way, that it may have been made when a
     * request may have been carried out unanswered (a timeout, a connection broken after sending),
     * and that the failed request changed nothing when it was never sent (connection refused).
     */
    @Test
    void theAnswerSaysWhetherAChangeMayHaveBeenMade() {
        Throwable timedOut = new java.io.UncheckedIOException("PUT /x", new java.net.SocketTimeoutException("timeout"));
        Throwable refused = new java.io.UncheckedIOException("PUT /x", new java.net.ConnectException("Connection refused"));
        Throwable connectTimeout = new org.apache.http.conn.ConnectTimeoutException("connect timed out");
        Throwable broken = new org.apache.http.ConnectionClosedException("Connection closed unexpectedly");
        assertEquals("Elasticsearch did not answer in time; retry later", ElasticsearchFailure.message(timedOut, false));
        assertEquals("Elasticsearch did not answer in time while the change was being made: it may have been made, in part or in full;"
                + " look before retrying", ElasticsearchFailure.message(timedOut, true));
        assertEquals("Elasticsearch could not be reached (connection refused or not made): the request was not sent; retry later",
                ElasticsearchFailure.message(refused, false));
        for (Throwable notSent : List.of(refused, connectTimeout)) {
            assertEquals("Elasticsearch could not be reached (connection refused or not made) while the change was being made:"
                    + " the request was not sent, so it changed nothing, but the change was not completed; look before retrying",
                    ElasticsearchFailure.message(notSent, true));
            assertEquals(false, org.platewarden.search.audit.Corrections.mayHaveBeenMade(notSent), notSent.toString());
        }
        assertEquals(true, org.platewarden.search.audit.Corrections.mayHaveBeenMade(timedOut));
        assertEquals(true, org.platewarden.search.audit.Corrections.mayHaveBeenMade(broken));
        assertTrue(ElasticsearchFailure.message(broken, true).endsWith("it may have been made, in part or in full; look before retrying"));
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
