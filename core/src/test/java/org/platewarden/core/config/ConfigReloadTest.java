package org.platewarden.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a reload takes, counts and leaves: the credentials swapped whole or not at all, the counts
 * of each kind of change (never a hash), every other difference named as needing a restart.
 */
class ConfigReloadTest {
    private static final PlatewardenConfig DEMO = PlatewardenConfig.demoConfig();

    @Test
    void countsEachKindOfChangeAndSwapsTheCredentialsWhole() {
        LiveCredentials live = LiveCredentials.of(DEMO);
        Credentials before = live.current();
        List<CredentialChanges> heard = new ArrayList<>();
        live.onChange(heard::add);
        // cam-001 removed, cam-002 re-keyed, cam-101 moved to DPD, cam-900 added; four tokens removed, one changed; FED removed, ACSO renamed; a JWT
        PlatewardenConfig next = DEMO.with("""
                {"cameras":[
                  {"id":"cam-002","agency":"DPD","secret_hash":"%s"},
                  {"id":"cam-101","agency":"DPD","secret_hash":"%s"},
                  {"id":"cam-900","agency":"ACSO","secret_hash":"%s"}],
                 "tokens":[
                  {"user":"dpd.investigator","agency":"DPD","roles":["investigator","supervisor"],"token_sha256":"%s"},
                  {"user":"dpd.ops","agency":"DPD","roles":["ops"],"token_sha256":"%s"}],
                 "agencies":[{"id":"DPD","name":"Demo Police Department","oversight":true},{"id":"ACSO","name":"Renamed","shares_with":["DPD"]}],
                 "jwt":{"algorithm":"HS256","secret":"a-jwt-secret-of-at-least-32-characters"}}"""
                .formatted(SecretHash.hash("new-002"), hashOf(DEMO, "cam-101"), SecretHash.hash("new-900"),
                        tokenHash(DEMO, "dpd.investigator"), tokenHash(DEMO, "dpd.ops")));

        ConfigReload.Prepared reload = ConfigReload.prepare(DEMO, live, () -> next);
        assertSame(before, live.current(), "nothing in force before apply");
        CredentialChanges changes = reload.changes();
        assertEquals(Set.of("cam-001"), changes.camerasRemoved());
        assertEquals(Set.of("cam-002"), changes.camerasRekeyed());
        assertEquals(Set.of("cam-101"), changes.camerasMoved());
        assertEquals(Set.of("cam-900"), changes.camerasAdded());
        assertEquals(Set.of("cam-001", "cam-002", "cam-101"), changes.camerasToDisconnect());
        assertEquals(Map.ofEntries(Map.entry("cameras_added", 1), Map.entry("cameras_removed", 1), Map.entry("cameras_rekeyed", 1),
                Map.entry("cameras_moved", 1), Map.entry("tokens_added", 0), Map.entry("tokens_removed", 4), Map.entry("tokens_changed", 1),
                Map.entry("agencies_added", 0), Map.entry("agencies_removed", 1), Map.entry("agencies_changed", 1),
                Map.entry("jwt_changed", 1)), changes.counts());
        assertEquals(List.of(), reload.needsRestart());
        assertFalse(reload.describe().contains("pbkdf2") || reload.describe().contains(tokenHash(DEMO, "dpd.ops")), reload.describe());

        reload.apply();
        assertFalse(live.current().camera("cam-001").isPresent());
        assertEquals("DPD", live.current().camera("cam-101").orElseThrow().agency());
        assertEquals(2, live.current().agencies().size());
        assertEquals(List.of(changes), heard);
    }

    @Test
    void anInvalidFileChangesNothingAndNamesEveryProblem() {
        LiveCredentials live = LiveCredentials.of(DEMO);
        Credentials before = live.current();
        ConfigException invalid = assertThrows(ConfigException.class,
                () -> ConfigReload.prepare(DEMO, live, () -> DEMO.with("{\"retention_days\":0,\"tokens\":[{\"user\":\"x\",\"agency\":\"NOPE\",\"roles\":[\"ops\"],\"token_sha256\":\"zz\"}]}")));
        String message = ConfigReload.problems(invalid);
        assertTrue(message.startsWith("invalid configuration, nothing changed: ") && message.contains("retention_days must be 1..3650")
                && message.contains("token of user x names unknown agency NOPE"), message);
        assertSame(before, live.current());
    }

    @Test
    void everyOtherDifferenceIsNamedAsNeedingARestart() {
        LiveCredentials live = LiveCredentials.of(DEMO);
        ConfigReload.Prepared reload = ConfigReload.prepare(DEMO, live,
                () -> DEMO.with("{\"gateway\":{\"mqtt_port\":11883},\"data_dir\":\"elsewhere\",\"search\":{\"allowed_purposes\":[\"homicide\"]}}"));
        assertEquals(List.of("data_dir", "gateway.mqtt_port", "search.allowed_purposes"), reload.needsRestart());
        assertTrue(reload.changes().none());
        assertTrue(reload.describe().endsWith("not applied, needs a restart: data_dir, gateway.mqtt_port, search.allowed_purposes"), reload.describe());
    }

    @Test
    void aReloadPreparedBeforeAnotherWasAppliedChangesNothing() {
        LiveCredentials live = LiveCredentials.of(DEMO);
        ConfigReload.Prepared first = ConfigReload.prepare(DEMO, live, () -> DEMO.with("{\"tokens\":[]}"));
        ConfigReload.Prepared second = ConfigReload.prepare(DEMO, live, () -> DEMO.with("{\"cameras\":[]}"));
        first.apply();
        Credentials afterFirst = live.current();
        assertThrows(ConfigReload.ReloadConflictException.class, second::apply);
        assertSame(afterFirst, live.current(), "the second, read against what the first replaced, is not applied");
        assertEquals(3, live.current().cameras().size());
    }

    private static String hashOf(PlatewardenConfig config, String camera) {
        return config.camera(camera).orElseThrow().secretHash();
    }

    private static String tokenHash(PlatewardenConfig config, String user) {
        return config.tokens().stream().filter(t -> t.user().equals(user)).findFirst().orElseThrow().tokenSha256();
    }
}
