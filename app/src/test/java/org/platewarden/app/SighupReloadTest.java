package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * What a node whose SIGHUP cannot be caught (nohup, -Xrs) tells its operator to use instead: the
 * reload endpoint is the search API's, so a gateway or indexer node must not be sent to it.
 */
class SighupReloadTest {

    @Test
    void aNodeWithTheSearchRoleIsToldOfTheEndpointAndTheCli() {
        String advice = SighupReload.otherWays(true);
        assertTrue(advice.contains("POST /v1/ops/config/reload"), advice);
        assertTrue(advice.contains("./platewarden ops config-reload"), advice);
    }

    @Test
    void aNodeWithoutTheSearchRoleIsToldThatOnlyARestartChangesItsCredentials() {
        String advice = SighupReload.otherWays(false);
        assertFalse(advice.startsWith("use "), "a gateway-only node has no reload endpoint: " + advice);
        assertTrue(advice.contains("no search role"), advice);
        assertTrue(advice.contains("only with a restart"), advice);
    }
}
