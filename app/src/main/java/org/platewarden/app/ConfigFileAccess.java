package org.platewarden.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.platewarden.core.config.PlatewardenConfig;

/**
 * Whether the configuration file lets other local accounts read the secrets it holds: the HS256
 * {@code jwt.secret} (whoever reads it mints any JWT) and {@code gateway.read_id_key}. The data
 * directory is owner-only for the same reason; a file made with the usual umask (0644) is not.
 */
final class ConfigFileAccess {
    private ConfigFileAccess() {
    }

    /** The warning to log for {@code file}, or null when it holds no secret or only its owner may read it. */
    static String warning(Path file, PlatewardenConfig config) {
        if (file == null) return null;
        List<String> secrets = new ArrayList<>();
        if (config.jwt() != null && config.jwt().secret() != null) secrets.add("jwt.secret");
        if (config.gateway().readIdKey() != null) secrets.add("gateway.read_id_key");
        if (secrets.isEmpty()) return null;
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException notPosix) {
            return null;
        }
        boolean open = permissions.stream().anyMatch(p -> p == PosixFilePermission.GROUP_READ || p == PosixFilePermission.OTHERS_READ);
        if (!open) return null;
        return "the configuration file " + file + " holds " + String.join(" and ", secrets) + " and other accounts may read it ("
                + PosixFilePermissions.toString(permissions) + "): make it readable by Platewarden's account only (chmod 600)";
    }
}
