package org.platewarden.indexer.holds;

import java.time.Instant;
import java.util.Set;
import org.platewarden.core.plate.PlateNormalizer;
import org.platewarden.core.read.ReadValidator;

/**
 * Everything about a hold request or an extension that can be refused without Elasticsearch, each
 * refusal an {@link IllegalArgumentException} (400) with its reason, or {@link HoldForbiddenException}
 * (403) for an agency that may see nothing. Separate because it never blocks: the HTTP layer checks
 * a creation on the event loop ({@link HoldService#check}) before it records it, and the creation
 * and the extension on the holds pool check again with the same rules.
 */
final class HoldRules {
    private final int holdMaxDays;

    HoldRules(int holdMaxDays) {
        this.holdMaxDays = holdMaxDays;
    }

    /** Refuses what is wrong with {@code req}; answers the normalised plate (null: a hold of read ids). */
    String validate(String agency, String user, HoldRequest req, Set<String> visible, Instant now) {
        // refused before the request is looked at, as a search by such an agency is (403)
        if (visible.isEmpty()) throw new HoldForbiddenException(agency);
        if (req == null) throw new IllegalArgumentException("a hold request is required");
        if (user == null || user.isBlank()) throw new IllegalArgumentException("a hold needs the requesting user");
        if (req.caseNumber() == null || req.caseNumber().isBlank()) throw new IllegalArgumentException("a hold needs a case number");
        if (req.reason() == null || req.reason().isBlank()) throw new IllegalArgumentException("a hold needs a reason");
        // a hold copies the reads of one exact plate: normalising "R*" to "R" would quietly hold
        // something else than asked, so patterns are refused (search first, then hold the read ids)
        // NFKC first: a search reads the full-width ＊ and ？ as wildcards, and normalising would drop them as separators
        String asTyped = req.platePattern() == null ? null : java.text.Normalizer.normalize(req.platePattern(), java.text.Normalizer.Form.NFKC);
        if (asTyped != null && (asTyped.indexOf('*') >= 0 || asTyped.indexOf('?') >= 0)) {
            throw new IllegalArgumentException("a hold's plate is one exact plate, not a pattern ('" + req.platePattern()
                    + "'); search with the pattern, then hold the read ids you found");
        }
        String plate = req.platePattern() == null ? null : PlateNormalizer.normalize(req.platePattern());
        if (plate != null && plate.length() < ReadValidator.PLATE_NORM_MIN) {
            throw new IllegalArgumentException("plate '" + req.platePattern() + "' has fewer than " + ReadValidator.PLATE_NORM_MIN
                    + " letters or digits; no read has such a plate");
        }
        boolean noIds = req.readIds() == null || req.readIds().isEmpty();
        if (plate == null && noIds) throw new IllegalArgumentException("a hold needs a plate or a list of read ids");
        if (plate != null && !noIds) throw new IllegalArgumentException("a hold takes a plate or a list of read ids, not both");
        if (!noIds && req.readIds().size() > HoldService.MAX_READ_IDS) {
            throw new IllegalArgumentException("at most " + HoldService.MAX_READ_IDS + " read ids per hold");
        }
        if (!noIds && req.readIds().stream().anyMatch(id -> id == null || id.isBlank())) throw new IllegalArgumentException("read ids must not be blank");
        if (req.until() == null) throw new IllegalArgumentException("a hold needs an until date");
        if (!req.until().isAfter(now)) throw new IllegalArgumentException("until " + req.until() + " is not in the future");
        refuseBeyondMax(req.until(), now);
        if (req.from() != null && req.to() != null && req.from().isAfter(req.to())) throw new IllegalArgumentException("from is after to");
        return plate;
    }

    /** Refuses extending {@code hold} to {@code until}: a released or ended hold, an earlier until, one beyond hold_max_days. */
    void validateExtension(Hold hold, Instant until, Instant now) {
        if (hold.released()) {
            throw new IllegalArgumentException("hold " + hold.id() + " was released at " + hold.releasedAt() + "; a released hold cannot be extended");
        }
        if (!hold.until().isAfter(now)) {
            throw new IllegalArgumentException("hold " + hold.id() + " ended at " + hold.until() + "; an ended hold cannot be extended");
        }
        if (until == null) throw new IllegalArgumentException("an extension needs the new until date");
        if (!until.isAfter(hold.until())) {
            throw new IllegalArgumentException("until " + until + " is not later than the hold's until " + hold.until());
        }
        refuseBeyondMax(until, now);
    }

    private void refuseBeyondMax(Instant until, Instant now) {
        if (until.isAfter(now.plus(holdMaxDays, java.time.temporal.ChronoUnit.DAYS))) {
            throw new IllegalArgumentException("until " + until + " is more than " + holdMaxDays + " days ahead (hold_max_days); hold for at most "
                    + holdMaxDays + " days and extend the hold (POST /v1/holds/{id}/extend) while the investigation needs its reads");
        }
    }
}
