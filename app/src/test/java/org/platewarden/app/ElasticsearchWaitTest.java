package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ElasticsearchWaitTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    private final ElasticsearchWait wait = new ElasticsearchWait("http://es:9200", null, "the indexer starts once it answers", now::get, stopping::get);

    @Test
    void theBackOffDoublesFromHalfASecondToFiveSeconds() {
        assertEquals(500, ElasticsearchWait.delayAfter(1));
        assertEquals(1_000, ElasticsearchWait.delayAfter(2));
        assertEquals(2_000, ElasticsearchWait.delayAfter(3));
        assertEquals(4_000, ElasticsearchWait.delayAfter(4));
        assertEquals(5_000, ElasticsearchWait.delayAfter(5));
        assertEquals(5_000, ElasticsearchWait.delayAfter(10_000));
    }

    /** The first failure is logged, then a new reason at once, the same one again only once a minute. */
    @Test
    void theLogSaysWhyAtOnceWhenTheReasonChangesAndOnceAMinute() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        // through until(): the lines it logged are what shouldLog is asked about next
        String answer = wait.until(() -> {
            if (calls.incrementAndGet() < 2) throw new IOException("Elasticsearch at http://es:9200 is not reachable: refused");
            return "installed";
        }, () -> null);
        assertEquals("installed", answer);
        assertEquals(1, wait.attempts());
        assertFalse(wait.shouldLog("Elasticsearch at http://es:9200 is not reachable: refused", now.get() + 59_000));
        assertTrue(wait.shouldLog("Elasticsearch at http://es:9200 answered 401: it needs credentials", now.get() + 1_000));
        assertTrue(wait.shouldLog("Elasticsearch at http://es:9200 is not reachable: refused", now.get() + 60_000));
    }

    @Test
    void onlyFailuresOfElasticsearchAreWaitedOut() {
        assertTrue(ElasticsearchWait.fromElasticsearch(new IOException("401")));
        assertTrue(ElasticsearchWait.fromElasticsearch(new UncheckedIOException("cannot reach Elasticsearch at start-up", new ConnectException("refused"))));
        // the template installer's "Elasticsearch refused PUT …": its cause is the client's ResponseException, an IOException
        assertTrue(ElasticsearchWait.fromElasticsearch(new IllegalStateException("Elasticsearch refused /_index_template/x", new IOException("403"))));
        assertFalse(ElasticsearchWait.fromElasticsearch(new IllegalStateException("a bug")));
        assertEquals("cannot reach Elasticsearch at start-up: ConnectException: refused",
                ElasticsearchWait.reason(new UncheckedIOException("cannot reach Elasticsearch at start-up", new ConnectException("refused"))));
    }

    @Test
    void anotherFailureEndsTheWaitAtOnce() {
        IllegalStateException bug = new IllegalStateException("a bug");
        AtomicInteger calls = new AtomicInteger();
        assertSame(bug, assertThrows(IllegalStateException.class, () -> wait.until(() -> {
            calls.incrementAndGet();
            throw bug;
        }, () -> null)));
        assertEquals(1, calls.get());
    }

    @Test
    void anEmbeddedNodeThatExitedEndsTheWait() {
        IllegalStateException exited = assertThrows(IllegalStateException.class, () -> wait.until(() -> {
            throw new IOException("refused");
        }, () -> "the embedded Elasticsearch exited with code 78 before it answered"));
        assertEquals("the embedded Elasticsearch exited with code 78 before it answered", exited.getMessage());
    }

    @Test
    void anInterruptEndsTheWait() throws Exception {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread waiting = new Thread(() -> {
            try {
                wait.until(() -> {
                    throw new IOException("refused");
                }, () -> null);
            } catch (Throwable e) {
                ended.complete(e);
            }
        });
        waiting.start();
        while (wait.attempts() < 2) Thread.sleep(10);
        waiting.interrupt();
        assertTrue(ended.get(5, TimeUnit.SECONDS) instanceof InterruptedException);
    }

    /** A client that swallows the interrupt: the stop's flag still ends the wait, within one back-off. */
    @Test
    void theStopsFlagEndsTheWaitWithoutAnInterrupt() {
        AtomicInteger calls = new AtomicInteger();
        assertThrows(InterruptedException.class, () -> wait.until(() -> {
            if (calls.incrementAndGet() == 2) stopping.set(true);
            throw new IOException("refused");
        }, () -> null));
        assertEquals(2, calls.get());
    }
}
