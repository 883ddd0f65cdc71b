package org.platewarden.indexer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.core.plate.PlateNormalizer;

/** Read documents as the gateway would spool them (compact JSON, fields of the read mapping). */
public final class TestReads {
    private TestReads() {
    }

    public static String json(String readId, String cameraId, String agency, Instant capturedAt, String plate) {
        String norm = PlateNormalizer.normalize(plate);
        return "{\"read_id\":\"" + readId + "\",\"camera_id\":\"" + cameraId + "\",\"agency\":\"" + agency
                + "\",\"captured_at\":\"" + capturedAt + "\",\"received_at\":\"" + Instant.now() + "\",\"plate\":\"" + plate
                + "\",\"plate_norm\":\"" + norm + "\",\"plate_ocr\":\"" + OcrFolding.defaults().fold(norm)
                + "\",\"plate_confidence\":0.9,\"location\":{\"lat\":39.7392,\"lon\":-104.9903},\"lane\":2,\"source\":\"http\"}";
    }

    public static byte[] bytes(String readId, String cameraId, String agency, Instant capturedAt, String plate) {
        return json(readId, cameraId, agency, capturedAt, plate).getBytes(StandardCharsets.UTF_8);
    }
}
