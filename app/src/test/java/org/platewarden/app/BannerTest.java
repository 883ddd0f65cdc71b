package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.platewarden.core.config.PlatewardenConfig;

class BannerTest {
    @Test
    void theAgenciesLineSaysWhoSharesWithWhomAsConfigured() {
        assertEquals("DPD, ACSO (shares its reads with DPD), FED (federal: sees no reads)",
                Banner.agencies(PlatewardenConfig.demoConfig().agencies()));
        PlatewardenConfig revoked = PlatewardenConfig.demoConfig().with("""
                {"agencies":[{"id":"DPD","name":"D","federal":false,"shares_with":[]},
                             {"id":"ACSO","name":"A","federal":false,"shares_with":[]},
                             {"id":"FED","name":"F","federal":true,"shares_with":[]}]}""");
        assertEquals("DPD, ACSO, FED (federal: sees no reads)", Banner.agencies(revoked.agencies()));
    }

    @Test
    void aGatewayOnlyNodeShowsOnlyWhatTheGatewayServes() {
        String endpoints = Banner.endpoints(8080, 1883, -1);
        assertTrue(endpoints.contains("http://localhost:8080/v1/reads") && endpoints.contains("mqtt://localhost:1883"), endpoints);
        assertTrue(endpoints.contains("/health/live, /health/ready, /metrics on port 8080\n"), endpoints);
        assertFalse(endpoints.contains("8081") || endpoints.contains("both"), endpoints);
        String samples = Banner.tryIt(8080, -1, "2026-11-22T14:03:07.123Z");
        assertTrue(samples.contains("http://localhost:8080/v1/reads"), samples);
        assertFalse(samples.contains("/v1/search") || samples.contains("/v1/audit"), samples);
    }

    @Test
    void aSearchOnlyNodeShowsOnlyWhatTheSearchApiServes() {
        String endpoints = Banner.endpoints(-1, -1, 8081);
        assertTrue(endpoints.contains("http://localhost:8081/v1/search"), endpoints);
        assertTrue(endpoints.contains("/metrics on port 8081\n"), endpoints);
        assertFalse(endpoints.contains("ingest") || endpoints.contains("both"), endpoints);
        String samples = Banner.tryIt(-1, 8081, "2026-11-22T14:03:07.123Z");
        assertTrue(samples.contains("8081/v1/search") && samples.contains("8081/v1/audit"), samples);
        assertFalse(samples.contains("/v1/reads"), samples);
    }

    @Test
    void everyRoleShowsBothPortsAndAnIndexerAloneNone() {
        assertTrue(Banner.endpoints(8080, 1883, 8081).contains("/metrics on ports 8080 and 8081\n"));
        assertTrue(Banner.tryIt(8080, 8081, "now").contains("/v1/reads"));
        assertEquals("", Banner.endpoints(-1, -1, -1));
        assertEquals("", Banner.tryIt(-1, -1, "now"));
    }
}
