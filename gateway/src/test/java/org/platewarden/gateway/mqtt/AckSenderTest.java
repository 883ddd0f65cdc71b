package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AckSenderTest {

    @Test
    void eachOutboxRunsItsWritesInOrderOnTheSenderThread() throws Exception {
        int connections = 8, perConnection = 5_000;
        List<List<Integer>> written = new ArrayList<>();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch done = new CountDownLatch(connections * perConnection);
        try (AckSender sender = new AckSender("acks-test")) {
            List<Thread> producers = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                List<Integer> log = Collections.synchronizedList(new ArrayList<>());
                written.add(log);
                AckSender.Outbox outbox = sender.outbox();
                producers.add(new Thread(() -> {
                    for (int i = 0; i < perConnection; i++) {
                        int id = i;
                        outbox.send(() -> {
                            threads.add(Thread.currentThread().getName());
                            log.add(id);
                            done.countDown();
                        });
                    }
                }));
            }
            producers.forEach(Thread::start);
            assertTrue(done.await(20, TimeUnit.SECONDS));
        }
        assertEquals(Set.of("acks-test"), threads, "writes run on the sender thread, never the caller's");
        for (List<Integer> log : written) {
            assertEquals(perConnection, log.size());
            for (int i = 0; i < perConnection; i++) assertEquals(i, log.get(i), "order within a connection");
        }
    }

    @Test
    void aFailingWriteDoesNotStopTheOnesAfterIt() throws Exception {
        CountDownLatch after = new CountDownLatch(1);
        try (AckSender sender = new AckSender("acks-test")) {
            AckSender.Outbox outbox = sender.outbox();
            outbox.send(() -> {
                throw new IllegalStateException("MQTT endpoint is closed");
            });
            outbox.send(after::countDown);
            assertTrue(after.await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aSendAfterCloseIsDroppedWithoutThrowing() {
        AckSender sender = new AckSender("acks-test");
        AckSender.Outbox outbox = sender.outbox();
        sender.close();
        List<String> ran = new ArrayList<>();
        outbox.send(() -> ran.add("late"));
        assertEquals(List.of(), ran, "a closed listener writes nothing; the client keeps its unacknowledged message");
    }
}
