package org.platewarden.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import org.platewarden.core.config.Camera;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.read.ReadResult;
import org.platewarden.core.read.ReadValidator;
import org.platewarden.core.read.StoredRead;

/**
 * Turns generated reads into the exact stored documents the gateway would write to the spool
 * (core's ReadValidator, demo cameras), so that loads sent straight to Elasticsearch carry the
 * same document bytes as those indexed through Platewarden.
 */
public final class StoredDocuments {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PlatewardenConfig config = PlatewardenConfig.demoConfig();
    private final ReadValidator validator = ReadValidator.fromConfig(config, Clock.systemUTC(), org.platewarden.core.read.ReadIdKey.random());
    private final String prefix;

    public StoredDocuments(String prefix) {
        this.prefix = prefix;
    }

    public StoredRead store(ReadFactory.Read read, String cameraId) {
        Camera camera = config.camera(cameraId).orElseThrow(() -> new IllegalArgumentException("unknown camera " + cameraId));
        try {
            ReadResult result = validator.validate(JSON.readTree(read.json()), camera, "http");
            if (result instanceof StoredRead stored) return stored;
            throw new IllegalStateException("generated read rejected: " + result);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String index(StoredRead stored) {
        return DailyIndex.name(prefix, stored.capturedAt());
    }
}
