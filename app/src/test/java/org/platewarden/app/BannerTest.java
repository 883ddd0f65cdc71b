package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
