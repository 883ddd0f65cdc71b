package org.platewarden.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The no-loss proof's wait: it goes on while the indexer makes progress and stops on a stall or at its ceiling. */
class DrainWaitTest {

    @Test
    void progressKeepsTheWaitGoingPastTheStallLimit() {
        VerifyEsCommand.DrainWait wait = new VerifyEsCommand.DrainWait(0, 300_000, 7_200_000);
        for (long t = 0; t <= 1_800_000; t += 60_000) {
            assertFalse(wait.givingUp(t), "still draining at " + t + " ms");
            wait.progressed(t);
        }
        assertNull(wait.reason(1_800_000 + 299_999));
    }

    @Test
    void aStallEndsTheWait() {
        VerifyEsCommand.DrainWait wait = new VerifyEsCommand.DrainWait(0, 300_000, 7_200_000);
        wait.progressed(1_000_000);
        assertFalse(wait.givingUp(1_299_999));
        assertTrue(wait.givingUp(1_300_000));
        assertEquals("no progress for 300 s", wait.reason(1_300_000));
    }

    @Test
    void theCeilingEndsTheWaitEvenWithProgress() {
        VerifyEsCommand.DrainWait wait = new VerifyEsCommand.DrainWait(1_000, 300_000, 7_200_000);
        wait.progressed(7_200_000);
        assertEquals("waited the maximum of 7200 s", wait.reason(7_201_000));
    }
}
