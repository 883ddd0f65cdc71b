package org.platewarden.indexer.holds;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import org.platewarden.indexer.EsRest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The release of a hold, by a supervisor ({@link #release}) or automatically under a node's claim
 * ({@link #releaseClaimed}): the definition marked released (it stays as the record that the hold
 * existed), then the copies deleted, under the hold's {@link HoldChangeLocks change lock}. Separate
 * because both kinds of release must make the same record the same way, and because the release is
 * what ends a hold's evidence.
 */
final class HoldRelease {
    /** HoldService's logger: the holds' log lines keep the one name they had before HoldService was split. */
    private static final Logger LOG = LoggerFactory.getLogger(HoldService.class);

    private final HoldDefinitions definitions;
    private final HeldCopies copies;
    private final HoldChangeLocks locks;
    private final Clock clock;

    HoldRelease(HoldDefinitions definitions, HeldCopies copies, HoldChangeLocks locks, Clock clock) {
        this.definitions = definitions;
        this.copies = copies;
        this.locks = locks;
        this.clock = clock;
    }

    /** A supervisor's release. */
    Hold release(String holdId, String agency, String user) {
        synchronized (locks.of(holdId)) {
            return releaseNow(holdId, agency, user, null);
        }
    }

    /** The automatic release of an ended hold as {@link HoldService#EXPIRY_USER}, while {@code claim} is still the hold's. */
    Hold releaseClaimed(HoldService.ReleaseClaim claim) {
        synchronized (locks.of(claim.hold().id())) {
            return releaseNow(claim.hold().id(), claim.hold().agency(), HoldService.EXPIRY_USER, claim.token());
        }
    }

    /**
     * Marks the hold released (unless it is already) and deletes its copies. {@code claimToken}: the
     * automatic release's claim ({@link HoldService#releaseEnded}), which must still be the hold's; null for a
     * supervisor's release.
     */
    private Hold releaseNow(String holdId, String agency, String user, String claimToken) {
        for (int attempt = 1; ; attempt++) {
            HoldDefinitions.Stored stored = definitions.own(holdId, agency);
            if (claimToken != null && (stored.claim() == null || !claimToken.equals(stored.claim().token()))) {
                throw new IllegalStateException("the automatic release of hold " + holdId + " was taken over by node "
                        + (stored.claim() == null ? "?" : stored.claim().nodeId()) + " after this node's claim expired; that node records and makes it");
            }
            Hold hold = stored.hold();
            if (!hold.released()) {
                Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                ObjectNode released = EsRest.MAPPER.createObjectNode();
                released.put("released_at", now.toString());
                released.put("released_by", user);
                // changed meanwhile (two supervisors releasing at once, a pass claiming it): read it again,
                // so that of two releases at once one is recorded on the definition
                if (!definitions.update(stored, released)) {
                    if (attempt < 3) continue;
                    throw new IllegalStateException("hold " + holdId + " kept changing while it was being released; release it again");
                }
                hold = new Hold(hold.id(), hold.caseNumber(), hold.reason(), hold.agency(), hold.createdBy(), hold.createdAt(),
                        hold.until(), hold.readCount(), now, user, hold.platePattern(), hold.readIds(), hold.from(), hold.to());
                LOG.info("hold {} (case {}) released by {} ({})", holdId, hold.caseNumber(), user, agency);
            }
            copies.delete(holdId); // also on a repeated release: removes leftovers of an interrupted one
            return hold;
        }
    }
}
