package org.platewarden.gateway.ingest;

import java.util.concurrent.TimeUnit;
import org.platewarden.core.log.ThrottledWarning;
import org.platewarden.core.read.ReadInput;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices accepted reads whose camera-sent {@code read_id} holds their plate. The id is stored as
 * sent, and the audit trail, never deleted, keeps the ids every search returned: such an id keeps a
 * bystander's plate, camera and time there long after the read is deleted. Nothing is refused (the
 * read is valid); ops are told which camera to set up otherwise, in a WARN that names the camera,
 * never the id or plate, at most once per {@link #INTERVAL_MINUTES} minutes, and counted in
 * {@code platewarden_gateway_read_ids_with_plate_total}. Derived ids hold no plate, so a read
 * without an id costs nothing here.
 */
public final class PlateInReadIds {
    private static final Logger LOG = LoggerFactory.getLogger(PlateInReadIds.class);
    static final long INTERVAL_MINUTES = 10;

    private final GatewayMetrics metrics;
    private final ThrottledWarning warning = new ThrottledWarning(LOG::warn, INTERVAL_MINUTES, TimeUnit.MINUTES, System::nanoTime);

    public PlateInReadIds(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /** Looks at an accepted read as the camera sent it. */
    void check(ReadInput read, String cameraId, String source) {
        String sentId = read.readIdHint();
        if (sentId == null || !read.holdsPlate(sentId)) return;
        metrics.readIdWithPlate(source);
        warning.warn("camera " + cameraId + " sends read_ids that hold the read's plate: the audit trail keeps the ids of the reads"
                + " searches return, never deleted, and so those plates; have it send a counter, or no read_id (docs/cameras.md, Read ids)");
    }
}
