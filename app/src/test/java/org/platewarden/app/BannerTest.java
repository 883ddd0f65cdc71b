package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.platewarden.core.config.DemoCredentials;
import org.platewarden.core.config.PlatewardenConfig;

class BannerTest {
    /**
     * The warning comes from the credentials the config holds, not from the flags: a copied example
     * config with the demo secrets warns; a demo-based one whose cameras and tokens were replaced
     * does not, and offers no samples that would be refused.
     */
    @Test
    void theDemoWarningNamesThePublicCredentialsTheConfigHolds() {
        java.util.List<String> all = DemoCredentials.inUse(PlatewardenConfig.demoConfig());
        assertEquals(java.util.List.of("camera cam-001", "camera cam-002", "camera cam-101", "token of dpd.investigator",
                "token of dpd.supervisor", "token of dpd.auditor", "token of dpd.ops", "token of acso.investigator",
                "token of fed.investigator"), all);
        String demo = Banner.demoSection(all, Banner.Served.plain(8080, 1883, 8081), "2026-11-22T14:03:07.123Z");
        assertTrue(demo.contains("DEMO CREDENTIALS") && demo.contains("camera cam-001") && demo.contains("Try it"), demo);

        PlatewardenConfig replaced = PlatewardenConfig.demoConfig().with("""
                {"cameras":[{"id":"cam-201","agency":"DPD","secret_hash":"pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}],
                 "tokens":[]}""");
        assertEquals(java.util.List.of(), DemoCredentials.inUse(replaced));
        assertEquals("", Banner.demoSection(DemoCredentials.inUse(replaced), Banner.Served.plain(8080, 1883, 8081), "2026-11-22T14:03:07.123Z"));

        // some demo tokens left in a real config: warned about, but the samples (cam-001) would be refused, so none
        String partial = Banner.demoSection(java.util.List.of("token of dpd.ops"), Banner.Served.plain(8080, 1883, 8081), "2026-11-22T14:03:07.123Z");
        assertTrue(partial.contains("token of dpd.ops") && !partial.contains("Try it"), partial);
    }

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

    /** Ports that serve TLS are shown as https (and the samples say so); the MQTT TLS listener is listed. */
    @Test
    void tlsPortsAreShownAsTheyAreServed() {
        Banner.Served tls = new Banner.Served(8080, true, 1883, 8883, 8081, true);
        String endpoints = Banner.endpoints(tls);
        assertTrue(endpoints.contains("ingest HTTPS   https://localhost:8080/v1/reads"), endpoints);
        assertTrue(endpoints.contains("search API     https://localhost:8081/v1/search"), endpoints);
        assertTrue(endpoints.contains("transparency   https://localhost:8081/v1/transparency"), endpoints);
        assertTrue(endpoints.contains("ingest MQTTS   mqtts://localhost:8883"), endpoints);
        String samples = Banner.tryIt(tls, "2026-11-22T14:03:07.123Z");
        assertFalse(samples.contains("http://"), samples);
        assertTrue(samples.contains("--cacert CERT -u cam-001") && samples.contains("https://localhost:8081/v1/audit"), samples);
        String plain = Banner.endpoints(Banner.Served.plain(8080, 1883, 8081));
        assertTrue(plain.contains("ingest HTTP    http://localhost:8080/v1/reads") && !plain.contains("https") && !plain.contains("MQTTS"), plain);
    }

    @Test
    void aGatewayOnlyNodeShowsOnlyWhatTheGatewayServes() {
        String endpoints = Banner.endpoints(Banner.Served.plain(8080, 1883, -1));
        assertTrue(endpoints.contains("http://localhost:8080/v1/reads") && endpoints.contains("mqtt://localhost:1883"), endpoints);
        assertTrue(endpoints.contains("/health/live, /health/ready, /metrics on port 8080\n"), endpoints);
        assertFalse(endpoints.contains("8081") || endpoints.contains("both"), endpoints);
        String samples = Banner.tryIt(Banner.Served.plain(8080, 1883, -1), "2026-11-22T14:03:07.123Z");
        assertTrue(samples.contains("http://localhost:8080/v1/reads"), samples);
        assertFalse(samples.contains("/v1/search") || samples.contains("/v1/audit"), samples);
    }

    @Test
    void aSearchOnlyNodeShowsOnlyWhatTheSearchApiServes() {
        String endpoints = Banner.endpoints(Banner.Served.plain(-1, -1, 8081));
        assertTrue(endpoints.contains("http://localhost:8081/v1/search"), endpoints);
        assertTrue(endpoints.contains("/metrics on port 8081\n"), endpoints);
        assertFalse(endpoints.contains("ingest") || endpoints.contains("both"), endpoints);
        String samples = Banner.tryIt(Banner.Served.plain(-1, 1883, 8081), "2026-11-22T14:03:07.123Z");
        assertTrue(samples.contains("8081/v1/search") && samples.contains("8081/v1/audit"), samples);
        assertFalse(samples.contains("/v1/reads"), samples);
    }

    @Test
    void everyRoleShowsBothPortsAndAnIndexerAloneNone() {
        assertTrue(Banner.endpoints(Banner.Served.plain(8080, 1883, 8081)).contains("/metrics on ports 8080 and 8081\n"));
        assertTrue(Banner.tryIt(Banner.Served.plain(8080, 1883, 8081), "now").contains("/v1/reads"));
        assertEquals("", Banner.endpoints(Banner.Served.plain(-1, -1, -1)));
        assertEquals("", Banner.tryIt(Banner.Served.plain(-1, 1883, -1), "now"));
    }
}
