package org.platewarden.search.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.audit.AuditEsSupport.await;
import static org.platewarden.search.audit.AuditEsSupport.awaitFailure;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.PlatewardenConfig;

class AuthenticatorTest {
    private static final String SECRET = "a-test-secret-that-is-at-least-32-characters";
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        await(vertx.close());
    }

    private static PlatewardenConfig hs256() {
        return PlatewardenConfig.demoConfig().with("{\"jwt\":{\"algorithm\":\"HS256\",\"secret\":\"" + SECRET + "\",\"issuer\":\"pw-test\"}}");
    }

    private static JsonObject claims(long expEpochSeconds) {
        return new JsonObject().put("sub", "jane.doe").put("agency", "ACSO").put("iss", "pw-test")
                .put("roles", new JsonArray().add("investigator").add("supervisor").add("wizard")).put("exp", expEpochSeconds);
    }

    private static long inAnHour() {
        return System.currentTimeMillis() / 1000 + 3600;
    }

    private static String hsToken(String secret, JsonObject claims) {
        JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
        return signer.generateToken(claims, new JWTOptions().setAlgorithm("HS256"));
    }

    private static Throwable rejected(Authenticator auth, String header) {
        return assertInstanceOf(AuthenticationException.class, awaitFailure(auth.authenticate(header)));
    }

    @Test
    void staticTokenResolvesToItsConfiguredPrincipal() {
        Authenticator auth = new Authenticator(vertx, PlatewardenConfig.demoConfig());
        Principal p = await(auth.authenticate("Bearer demo-dpd-auditor"));
        assertEquals(new Principal("dpd.auditor", "DPD", Set.of("auditor"), Authenticator.STATIC), p);
        assertEquals("dpd.supervisor", await(auth.authenticate("bearer  demo-dpd-supervisor ")).user());
    }

    @Test
    void badOrMissingStaticTokenIsRejected() {
        Authenticator auth = new Authenticator(vertx, PlatewardenConfig.demoConfig());
        rejected(auth, "Bearer demo-dpd-auditorX");
        rejected(auth, null);
        rejected(auth, "");
        rejected(auth, "Basic ZGVtbzpkZW1v");
        rejected(auth, "Bearer ");
    }

    @Test
    void validHs256TokenCarriesSubAgencyAndKnownRoles() {
        Authenticator auth = new Authenticator(vertx, hs256());
        Principal p = await(auth.authenticate("Bearer " + hsToken(SECRET, claims(inAnHour()))));
        assertEquals(new Principal("jane.doe", "ACSO", Set.of("investigator", "supervisor"), Authenticator.JWT), p);
    }

    @Test
    void expiredWrongSignatureWrongIssuerOrIncompleteJwtIsRejected() {
        Authenticator auth = new Authenticator(vertx, hs256());
        rejected(auth, "Bearer " + hsToken(SECRET, claims(System.currentTimeMillis() / 1000 - 3600)));
        rejected(auth, "Bearer " + hsToken("another-secret-that-is-also-32-characters-long", claims(inAnHour())));
        rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("iss", "someone-else")));
        rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("agency", "NOPE")));
        JsonObject noExp = claims(0);
        noExp.remove("exp");
        rejected(auth, "Bearer " + hsToken(SECRET, noExp));
        JsonObject noSub = claims(inAnHour());
        noSub.remove("sub");
        rejected(auth, "Bearer " + hsToken(SECRET, noSub));
        // without JWT configured, a well-formed JWT is just an unknown token
        rejected(new Authenticator(vertx, PlatewardenConfig.demoConfig()), "Bearer " + hsToken(SECRET, claims(inAnHour())));
    }

    @Test
    void rs256TokenVerifiesWithThePublicKeyOnly() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        KeyPair other = generator.generateKeyPair();
        String publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded());
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with(new JsonObject()
                .put("jwt", new JsonObject().put("algorithm", "RS256").put("public_key_pem", publicPem)).encode());
        Authenticator auth = new Authenticator(vertx, config);

        Principal p = await(auth.authenticate("Bearer " + rsToken(pair, claims(inAnHour()))));
        assertEquals("jane.doe", p.user());
        assertEquals(Set.of("investigator", "supervisor"), p.roles());
        rejected(auth, "Bearer " + rsToken(other, claims(inAnHour())));
        rejected(auth, "Bearer " + rsToken(pair, claims(System.currentTimeMillis() / 1000 - 60)));
        // an HS256 token signed with the public key text (algorithm confusion) is refused, and the reason says why
        Throwable confused = rejected(auth, "Bearer " + hsToken(publicPem, claims(inAnHour())));
        assertEquals("invalid token: the token is signed with alg \"HS256\"; this server accepts only RS256 (jwt.algorithm)", confused.getMessage());
        // a header without alg: the reason says so, not Vert.x's NullPointerException text
        String signed = rsToken(pair, claims(inAnHour()));
        String noAlg = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"typ\":\"JWT\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + signed.substring(signed.indexOf('.'));
        assertEquals("invalid token: the token's header has no alg; this server accepts only RS256 (jwt.algorithm)", rejected(auth, "Bearer " + noAlg).getMessage());
    }

    private static PlatewardenConfig withAudience(Object audience) {
        return hs256().with(new JsonObject().put("jwt", new JsonObject().put("audience", audience)).encode());
    }

    /** With {@code jwt.audience} set, a token must name it in aud; a token for another service is refused. */
    @Test
    void aConfiguredAudienceMustBeInTheTokensAud() {
        Authenticator auth = new Authenticator(vertx, withAudience("platewarden-search"));
        assertEquals("jane.doe", await(auth.authenticate("Bearer " + hsToken(SECRET, claims(inAnHour()).put("aud", "platewarden-search")))).user());
        assertEquals("jane.doe", await(auth.authenticate("Bearer " + hsToken(SECRET, claims(inAnHour())
                .put("aud", new JsonArray().add("some-other-service").add("platewarden-search"))))).user(), "one of several audiences is enough");

        Throwable other = rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("aud", "some-other-service")));
        assertTrue(other.getMessage().startsWith("invalid token: Invalid JWT audience"), other.getMessage());
        assertTrue(other.getMessage().contains("platewarden-search"), "says which audience is expected: " + other.getMessage());
        Throwable none = rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour())));
        assertTrue(none.getMessage().contains("audience"), none.getMessage());
        rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("aud", new JsonArray())));
        rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("aud", "PLATEWARDEN-SEARCH")));
        // a number or an object in aud: Vert.x would throw; refused with a reason instead
        for (Object aud : new Object[] {5, new JsonObject().put("a", "platewarden-search"), new JsonArray().add("platewarden-search").add(7)}) {
            Throwable t = rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("aud", aud)));
            assertEquals("invalid token: claim aud must be a string or an array of strings", t.getMessage());
        }
        // the other checks still apply to a token of the right audience
        rejected(auth, "Bearer " + hsToken("another-secret-that-is-also-32-characters-long", claims(inAnHour()).put("aud", "platewarden-search")));
        rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("aud", "platewarden-search").put("iss", "someone-else")));
    }

    @Test
    void severalConfiguredAudiencesAcceptAnyOfThem() {
        Authenticator auth = new Authenticator(vertx, withAudience(new JsonArray().add("pw-search").add("https://pw.example/api")));
        assertEquals("ACSO", await(auth.authenticate("Bearer " + hsToken(SECRET, claims(inAnHour()).put("aud", "https://pw.example/api")))).agency());
        assertEquals("ACSO", await(auth.authenticate("Bearer " + hsToken(SECRET, claims(inAnHour()).put("aud", "pw-search")))).agency());
        rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("aud", "pw")));
    }

    /** Without {@code jwt.audience}, aud is not looked at: any aud, or none, is accepted as before. */
    @Test
    void withoutAConfiguredAudienceAudIsNotChecked() {
        Authenticator auth = new Authenticator(vertx, hs256());
        assertEquals(null, hs256().jwt().audience());
        for (Object aud : new Object[] {"some-other-service", new JsonArray().add("x"), 5}) {
            assertEquals("jane.doe", await(auth.authenticate("Bearer " + hsToken(SECRET, claims(inAnHour()).put("aud", aud)))).user());
        }
        assertEquals("jane.doe", await(auth.authenticate("Bearer " + hsToken(SECRET, claims(inAnHour())))).user());
    }

    private static String rsToken(KeyPair pair, JsonObject claims) {
        JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded())))
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem("PUBLIC KEY", pair.getPublic().getEncoded()))));
        return signer.generateToken(claims, new JWTOptions().setAlgorithm("RS256"));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /**
     * A token signed with the right key whose time claims are not numbers: Vert.x threw a
     * ClassCastException out of authenticate, which became a 500 that nothing audited.
     */
    @Test
    void timeClaimsThatAreNotNumbersAreRejectedNotThrown() {
        Authenticator auth = new Authenticator(vertx, hs256());
        for (JsonObject claims : new JsonObject[] {
                claims(inAnHour()).put("exp", Long.toString(inAnHour())),
                claims(inAnHour()).putNull("exp"),
                claims(inAnHour()).put("iat", "x"),
                claims(inAnHour()).put("nbf", "x"),
                claims(inAnHour()).put("nbf", new JsonArray().add(1))}) {
            Throwable t = rejected(auth, "Bearer " + hsToken(SECRET, claims));
            org.junit.jupiter.api.Assertions.assertTrue(t.getMessage().contains("must be a number") || t.getMessage().contains("exp"), t.getMessage());
        }
    }

    /** Names Platewarden writes records under itself (or records of nobody) are not a caller's to take. */
    @Test
    void aTokenNamingAReservedUserIsRejected() {
        Authenticator auth = new Authenticator(vertx, hs256());
        for (String sub : new String[] {"anonymous", "platewarden:until-passed", "platewarden:recovery", "Platewarden:x"}) {
            Throwable t = rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("sub", sub)));
            org.junit.jupiter.api.Assertions.assertTrue(t.getMessage().contains("reserved"), t.getMessage());
        }
        assertEquals("platewarden.fan", await(auth.authenticate("Bearer " + hsToken(SECRET, claims(inAnHour()).put("sub", "platewarden.fan")))).user());
    }

    /** Signs a header and payload given as raw JSON text (what a generator with a JSON library could not write: a repeated key). */
    private static String rawHsToken(String headerJson, String payloadJson) throws Exception {
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(headerJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payloadJson.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        return signingInput + "." + b64.encodeToString(mac.doFinal(signingInput.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    private static String payload(String extra) {
        return "{\"sub\":\"jane.doe\",\"iss\":\"pw-test\",\"roles\":[\"investigator\"],\"exp\":" + inAnHour() + "," + extra + "}";
    }

    /** Look-alikes of reserved names and of configured users, and invisible characters, are refused. */
    @Test
    void lookAlikeUsersAreRejected() {
        Authenticator auth = new Authenticator(vertx, hs256());
        java.util.Map<String, String> expected = java.util.Map.of(
                "anonymous\u200b", "invisible", "\u00a0anonymous", "reserved", "\uff50latewarden:recovery", "reserved",
                "ANONYMOUS\t", "control", "dpd.investigator", "static token", "DPD.Investigator", "static token");
        expected.forEach((sub, why) -> {
            Throwable t = rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("sub", sub)));
            org.junit.jupiter.api.Assertions.assertTrue(t.getMessage().contains(why), sub + ": " + t.getMessage());
        });
    }

    /** What the JWT library leaves unchecked: repeated claims, crit, lifetimes without bound, a token valid only later. */
    @Test
    void repeatedClaimsCritHeadersEndlessAndFutureTokensAreRejected() throws Exception {
        Authenticator auth = new Authenticator(vertx, hs256());
        String hs = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
        // the raw signer itself is sound: the same token without the trick is accepted
        assertEquals("ACSO", await(auth.authenticate("Bearer " + rawHsToken(hs, payload("\"agency\":\"ACSO\"")))).agency());
        Throwable twice = rejected(auth, "Bearer " + rawHsToken(hs, payload("\"agency\":\"FED\",\"agency\":\"DPD\"")));
        org.junit.jupiter.api.Assertions.assertTrue(twice.getMessage().contains("more than once"), twice.getMessage());
        Throwable crit = rejected(auth, "Bearer " + rawHsToken("{\"alg\":\"HS256\",\"crit\":[\"x-bound\"],\"x-bound\":1}", payload("\"agency\":\"ACSO\"")));
        org.junit.jupiter.api.Assertions.assertTrue(crit.getMessage().contains("crit"), crit.getMessage());
        for (String exp : new String[] {"1e15", "1e300", Long.toString(inAnHour() + 2 * 86_400)}) {
            Throwable endless = rejected(auth, "Bearer " + rawHsToken(hs, "{\"sub\":\"jane.doe\",\"iss\":\"pw-test\",\"agency\":\"ACSO\",\"exp\":" + exp + "}"));
            org.junit.jupiter.api.Assertions.assertTrue(endless.getMessage().contains("jwt.max_lifetime_seconds (86400)"), endless.getMessage());
        }
        Throwable later = rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("nbf", inAnHour() - 600)));
        org.junit.jupiter.api.Assertions.assertTrue(later.getMessage().contains("not valid yet"), later.getMessage());
        Throwable issued = rejected(auth, "Bearer " + hsToken(SECRET, claims(inAnHour()).put("iat", inAnHour() - 600)));
        org.junit.jupiter.api.Assertions.assertTrue(issued.getMessage().contains("issued in the future"), issued.getMessage());
        // a longer lifetime is the city's to allow
        Authenticator week = new Authenticator(vertx, PlatewardenConfig.demoConfig().with("{\"jwt\":{\"algorithm\":\"HS256\",\"secret\":\""
                + SECRET + "\",\"issuer\":\"pw-test\",\"max_lifetime_seconds\":604800}}"));
        assertEquals("jane.doe", await(week.authenticate("Bearer " + hsToken(SECRET, claims(inAnHour() + 2 * 86_400)))).user());
    }
}
