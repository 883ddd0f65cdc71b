package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;

/** A configuration file that holds a secret and that other accounts may read is warned about at start-up. */
class ConfigFileAccessTest {
    @TempDir
    Path dir;

    @Test
    void aSecretInAFileOthersMayReadIsWarnedAbout() throws Exception {
        Path file = Files.writeString(dir.resolve("city.json"), "{}");
        PlatewardenConfig withSecret = PlatewardenConfig.demoConfig().with("{\"jwt\":{\"algorithm\":\"HS256\",\"secret\":\"" + "k".repeat(40)
                + "\"},\"gateway\":{\"read_id_key\":\"" + "r".repeat(40) + "\"}}");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("the configuration file " + file + " holds jwt.secret and gateway.read_id_key and other accounts may read it (rw-r--r--):"
                + " make it readable by Platewarden's account only (chmod 600)", ConfigFileAccess.warning(file, withSecret));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertNull(ConfigFileAccess.warning(file, withSecret), "owner-only");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertNull(ConfigFileAccess.warning(file, PlatewardenConfig.demoConfig()), "hashes only: nothing to warn about");
        assertNull(ConfigFileAccess.warning(null, withSecret), "no file: the demo configuration");
    }
}
