package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AuditWriteQueueTest {
    @Test
    void authenticatedRecordsAreTakenFirstAndEachLaneInArrivalOrder() throws Exception {
        AuditWriteQueue<String> queue = new AuditWriteQueue<>(16);
        queue.offer("anon-1", true);
        queue.offer("anon-2", true);
        queue.offer("user-1", false);
        queue.offer("anon-3", true);
        queue.offer("user-2", false);

        assertEquals("user-1", queue.poll(1, TimeUnit.SECONDS));
        List<String> batch = new ArrayList<>();
        queue.drainTo(batch, 3);
        assertEquals(List.of("user-2", "anon-1", "anon-2"), batch);
        queue.offer("user-3", false);
        assertEquals("user-3", queue.poll(), "a later authenticated record still goes ahead of an anonymous one waiting");
        assertEquals("anon-3", queue.poll());
        assertNull(queue.poll());
    }

    @Test
    void holdsAtMostItsCapacity() {
        AuditWriteQueue<String> queue = new AuditWriteQueue<>(2);
        assertTrue(queue.offer("user-1", false));
        assertTrue(queue.offer("anon-1", true));
        assertFalse(queue.offer("user-2", false));
        assertEquals("user-1", queue.poll());
        assertTrue(queue.offer("user-2", false));
    }
}
