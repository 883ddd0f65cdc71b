package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class AuditAdmissionTest {
    @Test
    void aSmallLogStillTakesOneAnonymousRecordAndGetsItsSlotBack() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AuditAdmission admission = new AuditAdmission(2, registry);
        admission.admit(true);
        AuditUnavailableException refused = assertThrows(AuditUnavailableException.class, () -> admission.admit(true));
        assertTrue(refused.saturated());
        admission.admit(false); // the other slot stays for an authenticated record
        assertThrows(AuditUnavailableException.class, () -> admission.admit(false));

        admission.release(true);
        admission.admit(true);
        assertEquals(1, registry.get(AuditAdmission.METRIC).tag("lane", "anonymous").counter().count());
        assertEquals(1, registry.get(AuditAdmission.METRIC).tag("lane", "authenticated").counter().count());
    }
}
