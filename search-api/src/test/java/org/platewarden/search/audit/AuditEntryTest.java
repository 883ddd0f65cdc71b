package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditEntryTest {
    private static AuditEntry of(String user, String agency) {
        return new AuditEntry("search", user, agency, Set.of(), null, null, null, "127.0.0.1", "unauthorized", null, 401, 0, List.of());
    }

    @Test
    void anEntryIsAnonymousOnlyWhenItNamesNoAuthenticatedCaller() {
        assertTrue(AuditEsSupport.anonymousEntry(1).anonymous());
        assertTrue(of(null, null).anonymous());
        assertFalse(AuditEsSupport.entry(1).anonymous());
        // a JWT's sub may be any string; an authenticated caller always has an agency
        assertFalse(of(AuditEntry.ANONYMOUS, "DPD").anonymous());
    }
}
