package org.platewarden.indexer.holds;

/**
 * Changes of one hold (extend, release) on this node take turns: an extension updates the held
 * copies and then the definition, and two at once could leave the copies with the loser's
 * until. Striped, so memory stays fixed; another node's change is caught by the definition's
 * seq_no instead ({@link HoldDefinitions#update}).
 * <p>
 * Separate because {@link HoldRelease}, {@link HoldExtension} and {@link LeftoverCopies} change the
 * same hold's copies and must take turns on the same lock: one instance per {@link HoldService},
 * shared by all three.
 */
final class HoldChangeLocks {
    private final Object[] locks = new Object[64];

    HoldChangeLocks() {
        for (int i = 0; i < locks.length; i++) locks[i] = new Object();
    }

    /** The lock the changes of hold {@code holdId} take turns on (shared with the holds whose ids hash alike). */
    Object of(String holdId) {
        return locks[Math.floorMod(holdId.hashCode(), locks.length)];
    }
}
