package org.platewarden.gateway.testsupport;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Native read payloads captured "now", so they pass the retention and skew checks. */
public final class Reads {
    private Reads() {
    }

    public static String read(String cameraId, String plate) {
        return read(cameraId, plate, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    public static String read(String cameraId, String plate, Instant at) {
        return "{\"camera_id\":\"" + cameraId + "\",\"captured_at\":\"" + at + "\",\"plate\":\"" + plate
                + "\",\"plate_confidence\":0.9,\"vehicle\":{\"make\":\"Toyota\",\"color\":\"Silver\"}}";
    }
}
