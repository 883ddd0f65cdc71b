package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.platewarden.search.access.Refusal;
import org.platewarden.search.query.SearchService;

/** Actions and outcomes written outside the HTTP routes (which check theirs at start-up) are ones auditors can filter on. */
class AuditVocabularyTest {
    @Test
    void theSearchServicesActionsAndTheRefusalOutcomesAreKnown() {
        assertTrue(AuditVocabulary.ACTIONS.contains(SearchService.ACTION));
        assertTrue(AuditVocabulary.ACTIONS.contains(SearchService.CORRECTION));
        assertTrue(AuditVocabulary.ACTIONS.contains(Corrections.REQUEST));
        assertTrue(AuditVocabulary.OUTCOMES.contains(Corrections.FAILED));
        assertTrue(AuditVocabulary.ACTIONS.contains(ChainedAuditLog.RECOVERY_ACTION));
        for (String outcome : new String[] {Refusal.REFUSED, Refusal.INVALID, Refusal.RATE_LIMITED, Refusal.FAILED}) {
            assertTrue(AuditVocabulary.OUTCOMES.contains(outcome), outcome);
        }
    }
}
