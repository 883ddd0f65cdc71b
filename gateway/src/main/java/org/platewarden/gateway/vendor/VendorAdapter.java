package org.platewarden.gateway.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
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

    /** The product's name, for messages. */
    String product();

    /**
     * @param sent the body's bytes as the vendor sent them: what the dead letter of a body the adapter
     *             refuses as a whole keeps (not the tree written back, which may differ in spacing,
     *             escapes and numbers)
     * @return one item per plate found (possibly none); an item the adapter cannot map carries a
     *         vendor_format refusal
     */
    List<IngestItem> toReads(JsonNode payload, Supplier<byte[]> sent, Camera camera);

    /** The same, for a body held as a tree only: a refused body's dead letter keeps the tree written as JSON. */
    default List<IngestItem> toReads(JsonNode payload, Camera camera) {
        return toReads(payload, () -> payload.toString().getBytes(StandardCharsets.UTF_8), camera);
    }
}
