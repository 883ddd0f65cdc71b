package org.platewarden.gateway.mqtt;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what MQTT connections write after a PUBLISH was processed (PUBACK, PUBREC, DISCONNECT) from
 * a thread of its own instead of the event loop.
 *
 * <p>Why: Vert.x flushes every write made on the event loop outside a read handler, and PUBACKs
 * are written when a group commit completes, not while reading — so each PUBACK was its own
 * {@code write(2)}: about a third of the gateway's CPU under QoS 1 load was kernel time. A write
 * made from another thread is queued on the connection instead, and one event-loop task writes the
 * whole queue and flushes once at the end. The PUBACKs one group commit made ready therefore leave
 * in a few syscalls per connection instead of one each. Nothing waits here: a send only queues.
 *
 * <p>Order per connection is kept: each connection has a FIFO {@link Outbox} drained by this single
 * thread. The thread's queue is bounded by the number of connections (an outbox is scheduled at
 * most once at a time); an outbox holds only writes for PUBLISHes the connection's own in-flight
 * limit admitted.
 */
final class AckSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AckSender.class);

    private final ExecutorService thread;

    AckSender(String threadName) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    Outbox outbox() {
        return new Outbox();
    }

    /**
     * Stops taking new outboxes' drains; drains already queued still run. Does not wait: it is
     * called on an event loop when the listener closes.
     */
    @Override
    public void close() {
        thread.shutdown();
    }

    /** One connection's writes, in the order they were sent. */
    final class Outbox {
        private final ConcurrentLinkedQueue<Runnable> writes = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        /** Queues {@code write} (an endpoint call) to run on the sender thread after the earlier ones. */
        void send(Runnable write) {
            writes.add(write);
            if (scheduled.compareAndSet(false, true)) {
                try {
                    thread.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    // the server is closing: its connections are being closed too, and a QoS 1
                    // message whose PUBACK is not sent stays with the client, which sends it again
                    writes.clear();
                    LOG.debug("MQTT write after the listener closed; not sent");
                }
            }
        }

        private void drain() {
            // cleared before polling: a send racing with the end of this loop schedules a new drain
            scheduled.set(false);
            Runnable write;
            while ((write = writes.poll()) != null) {
                try {
                    write.run();
                } catch (RuntimeException e) {
                    // the connection closed meanwhile (Vert.x refuses writes to a closed endpoint)
                    LOG.debug("MQTT write not sent: {}", e.toString());
                }
            }
        }
    }
}
