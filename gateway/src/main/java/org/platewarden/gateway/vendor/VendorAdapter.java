package org.platewarden.gateway.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.platewarden.core.config.Camera;
import org.platewarden.gateway.ingest.IngestItem;

/**
 * Maps one webhook payload of an ALPR product to reads in the native model; the reads then go
 * through the same validation as native ones. The vendor's own camera identifiers (numeric
 * camera ids, agent uids, stream names) live in the vendor's namespace, so every read is
 * attributed to the camera that authenticated the request.
 */
public interface VendorAdapter {

    /** {@code source} value stored with the reads. */
    String source();

    /** @return one item per plate found (possibly none); an item the adapter cannot map carries a vendor_format refusal */
    List<IngestItem> toReads(JsonNode payload, Camera camera);
}
