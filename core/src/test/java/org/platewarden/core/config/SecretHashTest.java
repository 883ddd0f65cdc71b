package org.platewarden.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Camera secrets (PBKDF2) and API tokens (SHA-256 hex): the stored forms configs and the demo rely on. */
class SecretHashTest {

    @Test
    void sha256HexIsTheStandardDigestInLowerCaseHex() {
        // FIPS 180-2 test vectors
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", SecretHash.sha256Hex("abc"));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", SecretHash.sha256Hex(""));
    }

    @Test
    void aHashedSecretVerifiesOnlyItself() {
        String stored = SecretHash.hash("s3cret", new byte[16], 1000);
        assertTrue(SecretHash.isWellFormed(stored));
        assertTrue(SecretHash.verify("s3cret", stored));
        assertFalse(SecretHash.verify("s3cret ", stored));
        assertFalse(SecretHash.verify("s3cret", stored.replace("pbkdf2-sha256", "md5")));
        assertFalse(SecretHash.verify(null, stored));
    }
}
