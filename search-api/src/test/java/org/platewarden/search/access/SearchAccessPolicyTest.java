package org.platewarden.search.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.search.auth.Principal;

class SearchAccessPolicyTest {
    static final PlatewardenConfig CONFIG = PlatewardenConfig.demoConfig();
    static final SearchAccessPolicy POLICY = new SearchAccessPolicy(CONFIG.search(), new AgencyScope(CONFIG));
    static final Principal DPD = new Principal("u", "DPD", Set.of("investigator"), "token");

    @Test
    void allowedSearchSeesOwnAndGrantedAgencies() {
        AccessDecision d = POLICY.decide(DPD, "homicide", "DPD-1");
        assertTrue(d.allowed());
        assertEquals(Set.of("DPD", "ACSO"), d.visibleAgencies());
        assertEquals(Set.of("ACSO"), POLICY.decide(new Principal("a", "ACSO", Set.of("investigator"), "t"), "homicide", "C-1").visibleAgencies());
    }

    @Test
    void checksRunInOrderRoleThenPurposeThenCaseThenScope() {
        Principal fedAuditor = new Principal("f", "FED", Set.of("auditor"), "token");
        assertEquals(403, POLICY.decide(fedAuditor, "personal", null).refusal().status());
        assertTrue(POLICY.decide(fedAuditor, "personal", null).refusal().reason().contains("role"));
        Principal fed = new Principal("f", "FED", Set.of("investigator"), "token");
        assertTrue(POLICY.decide(fed, "personal", "C-1").refusal().reason().contains("personal"));
        assertEquals(400, POLICY.decide(fed, "homicide", null).refusal().status());
        Refusal scope = POLICY.decide(fed, "homicide", "C-1").refusal();
        assertEquals(403, scope.status());
        assertEquals("refused", scope.outcome());
        assertEquals(403, POLICY.decide(new Principal("x", "NOPE", Set.of("investigator"), "t"), "homicide", "C-1").refusal().status());
    }

    /** Case numbers as the rule says; a trailing space made "DPD-1 " a case the audit report's case_number=DPD-1 does not find. */
    @Test
    void caseNumbersStartWithALetterOrDigitAndDoNotEndWithASpace() {
        for (String ok : new String[] {"D", "DPD-2026-000123", "DPD 1", "case #5.", "a/b:c_d", "x".repeat(64)}) {
            assertTrue(SearchAccessPolicy.validCaseNumber(ok), ok);
        }
        for (String refused : new String[] {"", " DPD-1", "DPD-1 ", "DPD-1  ", "-1", "Ä1", "DPD\n1", "x".repeat(65)}) {
            assertTrue(!SearchAccessPolicy.validCaseNumber(refused), refused);
        }
        assertEquals(SearchAccessPolicy.CASE_NUMBER_RULE, POLICY.decide(DPD, "homicide", "DPD-1 ").refusal().reason());
    }

    @Test
    void purposeAndCaseNumberValues() {
        assertEquals(400, POLICY.decide(DPD, null, "C-1").refusal().status());
        assertEquals(400, POLICY.decide(DPD, 42, "C-1").refusal().status());
        assertEquals("invalid", POLICY.decide(DPD, "fishing", "C-1").refusal().outcome());
        for (String prohibited : CONFIG.search().prohibitedPurposes()) {
            Refusal r = POLICY.decide(DPD, prohibited, "C-1").refusal();
            assertEquals(403, r.status());
            assertTrue(r.reason().contains(prohibited));
        }
        // a prohibited purpose spelt differently is still refused as prohibited, not as unknown
        for (String spelt : new String[] {"IMMIGRATION_ENFORCEMENT", " Immigration Enforcement ", "immigration-enforcement",
                "immigration__enforcement", "immigration.enforcement", "immigrationenforcement", "Immigration Enforce-ment", "_immigration enforcement!", "ｉｍｍｉｇｒａｔｉｏｎ＿ｅｎｆｏｒｃｅｍｅｎｔ",
                "іmmigration enfоrcement" /* Cyrillic і and о */, "immigrαtion enforcement" /* Greek α */, "ímmigratión enforcement",
                "pеrsonal" /* Cyrillic е */, "ımmıgratıon enforcement" /* dotless ı */, "immigratioη enforcemeηt" /* Greek η */, "immi\u00ADgration_enforce\u200Dment" /* soft hyphen, zero-width joiner */, "PЕRSОNAL" /* Cyrillic Е and О */}) {
            Refusal r = POLICY.decide(DPD, spelt, "C-1").refusal();
            assertEquals(403, r.status(), spelt);
            assertEquals("refused", r.outcome(), spelt);
        }
        assertEquals("immigration_enforcement", SearchAccessPolicy.recordedPurpose(CONFIG.search(), " Immigration-Enforcement"));
        assertEquals("homicide", SearchAccessPolicy.recordedPurpose(CONFIG.search(), "homicide"));
        assertEquals("personal", SearchAccessPolicy.recordedPurpose(CONFIG.search(), "ｐｅｒｓｏｎａｌ"));
        assertEquals("personal", SearchAccessPolicy.recordedPurpose(CONFIG.search(), "pеrsonal"));
        // an allowed purpose still has to be sent exactly as configured: a look-alike is unknown, not allowed
        assertEquals(400, POLICY.decide(DPD, "homіcide", "C-1").refusal().status());
        assertEquals("", SearchAccessPolicy.spelling("__"));
        assertEquals("Fishing Trip", SearchAccessPolicy.recordedPurpose(CONFIG.search(), "Fishing Trip"), "an unknown purpose is kept as sent");
        assertEquals(400, POLICY.decide(DPD, "homicide", "").refusal().status());
        assertEquals(400, POLICY.decide(DPD, "homicide", 123).refusal().status());
        assertEquals(400, POLICY.decide(DPD, "homicide", "x".repeat(65)).refusal().status());
        assertEquals(400, POLICY.decide(DPD, "homicide", "C-1\nDROP").refusal().status());
        assertTrue(POLICY.decide(DPD, "homicide", "DPD-2026-000123").allowed());
    }
}
