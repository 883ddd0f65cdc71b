package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node's search slots and their short queue, on a real Vert.x event loop (no Elasticsearch needed). */
class SearchSlotsTest {
    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** acquire() called on the event loop, as the search service calls it. */
    private Future<Void> acquire(SearchSlots slots) {
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> slots.acquire(context).onComplete(p));
        return p.future();
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(Future<?> f) throws Exception {
        CompletableFuture<?> c = f.toCompletionStage().toCompletableFuture();
        try {
            c.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void beyondTheRunningOnesSearchesWaitInOrderAndTakeTheSlotsGivenBack() throws Exception {
        SearchSlots slots = new SearchSlots(2, 2, 10_000);
        get(acquire(slots));
        get(acquire(slots));
        List<String> served = new CopyOnWriteArrayList<>();
        Future<Void> third = acquire(slots).onSuccess(v -> served.add("third"));
        Future<Void> fourth = acquire(slots).onSuccess(v -> served.add("fourth"));
        awaitQueued(slots, 2);
        long started = System.nanoTime();
        Throwable fifth = failure(acquire(slots));
        assertInstanceOf(SearchSlots.Busy.class, fifth);
        assertTrue(System.nanoTime() - started < 1_000_000_000L, "a full queue refuses at once, it does not wait");
        assertEquals(2, slots.running());

        slots.release();
        get(third);
        assertEquals(List.of("third"), served, "the oldest waiter first");
        assertEquals(2, slots.running(), "the slot passed to the waiter: still two running");
        assertFalse(fourth.isComplete());
        slots.release();
        get(fourth);
        assertEquals(List.of("third", "fourth"), served);
        slots.release();
        slots.release();
        assertEquals(0, slots.running());
        assertEquals(0, slots.queued());
        get(acquire(slots));
        assertEquals(1, slots.running());
    }

    @Test
    void aWaitThatEndsWithoutASlotIsRefusedAndLeavesTheQueue() throws Exception {
        SearchSlots slots = new SearchSlots(1, 4, 300);
        get(acquire(slots));
        long started = System.nanoTime();
        Throwable refused = failure(acquire(slots));
        long waitedMs = (System.nanoTime() - started) / 1_000_000;
        assertInstanceOf(SearchSlots.Busy.class, refused);
        assertTrue(refused.getMessage().contains("no search slot freed within 300 ms"), refused.getMessage());
        assertTrue(waitedMs >= 250 && waitedMs < 5_000, "waited " + waitedMs + " ms");
        assertEquals(0, slots.queued(), "the expired waiter left the queue");
        slots.release();
        assertEquals(0, slots.running(), "the slot went back to no one: the expired waiter took none");
    }

    @Test
    void noQueueRefusesAtOnce() throws Exception {
        SearchSlots slots = new SearchSlots(1, 0, 2_000);
        get(acquire(slots));
        assertInstanceOf(SearchSlots.Busy.class, failure(acquire(slots)));
        slots.release();
        get(acquire(slots));
    }

    /** Many callers at once, from several threads: never more running than allowed, every slot given back, none lost. */
    @Test
    void underContentionNoMoreRunThanAllowedAndEveryWaiterIsServedOrRefused() throws Exception {
        SearchSlots slots = new SearchSlots(3, 5, 2_000);
        int[] maxSeen = new int[1];
        List<Future<Boolean>> outcomes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Context ctx = vertx.getOrCreateContext();
            Promise<Boolean> done = Promise.promise();
            outcomes.add(done.future());
            ctx.runOnContext(v -> slots.acquire(ctx).onComplete(slot -> {
                if (slot.failed()) {
                    done.complete(false);
                    return;
                }
                synchronized (maxSeen) {
                    maxSeen[0] = Math.max(maxSeen[0], slots.running());
                }
                // a "search" of 20 ms, then the slot back
                vertx.setTimer(20, t -> {
                    slots.release();
                    done.complete(true);
                });
            }));
        }
        int served = 0;
        for (Future<Boolean> f : outcomes) if (get(f)) served++;
        assertTrue(maxSeen[0] <= 3, "at most 3 ran at once, saw " + maxSeen[0]);
        assertTrue(served >= 8, "the three running and the five queued at least, served " + served);
        assertEquals(0, slots.running());
        assertEquals(0, slots.queued());
    }

    private static void awaitQueued(SearchSlots slots, int n) throws InterruptedException {
        for (int i = 0; i < 500 && slots.queued() < n; i++) Thread.sleep(10);
        assertEquals(n, slots.queued());
    }
}
