package org.platewarden.bench;

import java.util.List;

/** The demo configuration's cameras (DESIGN.md, demo configuration); connection i uses camera i mod 3. */
public final class DemoCameras {
    public static final List<String> IDS = List.of("cam-001", "cam-002", "cam-101");

    private DemoCameras() {
    }

    public static String id(int connection) {
        return IDS.get(Math.floorMod(connection, IDS.size()));
    }

    /** Demo secrets are "demo-" + camera id; printed by the app with a warning, never for production. */
    public static String secret(String cameraId) {
        return "demo-" + cameraId;
    }

    public static String topic(String cameraId) {
        return "platewarden/reads/" + cameraId;
    }
}
