package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;
import static org.platewarden.search.audit.AuditEsSupport.anonymousEntry;
import static org.platewarden.search.audit.AuditEsSupport.await;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.search.audit.AuditRecord;

/**
 * A flood of requests without credentials cannot take the audit trail from authenticated searches:
 * the flood's records fill their share of the node's 1024 in-flight records, and past it requests
 * without an authenticated caller are answered 503, while an investigator's search is answered.
 */
class AnonymousAuditShareIT {
    @TempDir
    Path dataDir;

    @Test
    void anonymousRecordsFillOnlyTheirShareAndAnInvestigatorsSearchIsStillAnswered() {
        try (ApiStack stack = new ApiStack(dataDir)) {
            Context flood = workerContext(stack);
            CountDownLatch release = new CountDownLatch(1);
            Promise<List<Future<AuditRecord>>> admitted = Promise.promise();
            // the flood's records are asked for on a context that is then held: their completions (and
            // the slots they give back) wait on it, so they stay in flight as records behind a slow writer do
            flood.runOnContext(v -> {
                List<Future<AuditRecord>> records = new ArrayList<>();
                for (int i = 1; i <= 1024; i++) {
                    Future<AuditRecord> f = stack.auditLog.record(anonymousEntry(i));
                    if (f.failed()) break;
                    records.add(f);
                }
                admitted.complete(records);
                awaitRelease(release);
            });
            try {
                List<Future<AuditRecord>> inFlight = await(admitted.future());
                assertEquals(256, inFlight.size(), "a quarter of the slots");

                HttpResponse<Buffer> search = stack.search(SearchApiVerticleIT.INVESTIGATOR, searchBody("stolen_vehicle", "SHARE-1"));
                assertEquals(200, search.statusCode(), search.bodyAsString());
                HttpResponse<Buffer> unauthenticated = stack.search(null, searchBody("stolen_vehicle", "SHARE-2"));
                assertEquals(503, unauthenticated.statusCode(), unauthenticated.bodyAsString());
                assertEquals("1", unauthenticated.getHeader("Retry-After"));
                assertNull(unauthenticated.bodyAsJsonObject().getString("audit_id"), "not recorded: the share of the trail is full");

                String metrics = stack.send(stack.client.get("/metrics"), null).bodyAsString();
                assertTrue(metrics.contains("platewarden_audit_saturated_total{lane=\"anonymous\"} 2.0"), metrics);
                assertTrue(metrics.contains("platewarden_audit_saturated_total{lane=\"authenticated\"} 0.0"), metrics);
                // not recorded on its own, but counted into its address's anonymous_summary of the minute
                assertTrue(metrics.contains("platewarden_audit_anonymous_summarized_total 1.0"), metrics);

                release.countDown();
                for (Future<AuditRecord> f : inFlight) await(f);
                // written, the flood's records give their slots back: a 401 is recorded again
                HttpResponse<Buffer> later = stack.search(null, searchBody("stolen_vehicle", "SHARE-3"));
                assertEquals(401, later.statusCode(), later.bodyAsString());
            } finally {
                release.countDown();
            }
        }
    }

    /** A worker's context: holding it blocks no event loop, so the server keeps answering. */
    private static Context workerContext(ApiStack stack) {
        Promise<Context> captured = Promise.promise();
        await(stack.vertx.deployVerticle(new VerticleBase() {
            @Override
            public Future<?> start() {
                captured.complete(context);
                return Future.succeededFuture();
            }
        }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)));
        return await(captured.future());
    }

    private static void awaitRelease(CountDownLatch release) {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
