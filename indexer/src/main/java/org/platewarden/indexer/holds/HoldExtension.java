package org.platewarden.indexer.holds;

import java.time.Clock;
import java.time.Instant;
import org.platewarden.indexer.EsRest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extension of an active hold: its {@code until} moved later, on the held copies first and then
 * on the definition, under the hold's {@link HoldChangeLocks change lock} so that two extensions on
 * this node cannot leave the copies with the loser's until. Separate from the release because its
 * order of writes (copies before definition) and its undoing on failure are its own.
 */
final class HoldExtension {
    /** HoldService's logger: the holds' log lines keep the one name they had before HoldService was split. */
    private static final Logger LOG = LoggerFactory.getLogger(HoldService.class);

    private final HoldDefinitions definitions;
    private final HeldCopies copies;
    private final HoldRules rules;
    private final HoldChangeLocks locks;
    private final Clock clock;

    HoldExtension(HoldDefinitions definitions, HeldCopies copies, HoldRules rules, HoldChangeLocks locks, Clock clock) {
        this.definitions = definitions;
        this.copies = copies;
        this.rules = rules;
        this.locks = locks;
        this.clock = clock;
    }

    /** The agency's hold if {@link #extend} would extend it to {@code until}; refuses as that would, changing nothing. */
    Hold check(String holdId, String agency, Instant until) {
        Hold hold = definitions.own(holdId, agency).hold();
        rules.validateExtension(hold, until, clock.instant());
        return hold;
    }

    Hold extend(String holdId, String agency, String user, Instant until) {
        synchronized (locks.of(holdId)) {
            return extendNow(holdId, agency, user, until);
        }
    }

    private Hold extendNow(String holdId, String agency, String user, Instant until) {
        HoldDefinitions.Stored stored = definitions.own(holdId, agency);
        rules.validateExtension(stored.hold(), until, clock.instant());
        try {
            copies.setUntil(holdId, until);
        } catch (RuntimeException e) {
            // some copies may carry the new until already: back to the definition's, which stays in force
            try {
                Hold now = definitions.own(holdId, agency).hold();
                if (!now.released()) copies.setUntil(holdId, now.until());
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        // a hold released or extended meanwhile is not overwritten
        if (!definitions.update(stored, EsRest.MAPPER.createObjectNode().put("until", until.toString()))) {
            Hold now = definitions.own(holdId, agency).hold();
            // the copies follow the definition that won (a release deletes them anyway)
            if (!now.released()) copies.setUntil(holdId, now.until());
            throw new IllegalArgumentException("hold " + holdId + " was changed while it was being extended (until now " + now.until()
                    + (now.released() ? ", released" : "") + "); look at it again before extending it");
        }
        Hold hold = stored.hold();
        LOG.info("hold {} (case {}) extended by {} ({}) from {} to {}", holdId, hold.caseNumber(), user, agency, hold.until(), until);
        return new Hold(hold.id(), hold.caseNumber(), hold.reason(), hold.agency(), hold.createdBy(), hold.createdAt(),
                until, hold.readCount(), null, null, hold.platePattern(), hold.readIds(), hold.from(), hold.to());
    }
}
