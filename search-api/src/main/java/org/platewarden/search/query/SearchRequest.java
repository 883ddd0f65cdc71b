package org.platewarden.search.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.platewarden.core.plate.CandidateQuery;
import org.platewarden.core.plate.PlateQuery;

/**
 * A validated search body (the purpose and case number are the access policy's business).
 *
 * @param plate      the plate pattern with its ocr flag and edit budget
 * @param candidates the index-backed candidate plan for {@code plate}
 * @param from       inclusive start of the capture-time window
 * @param to         inclusive end of the capture-time window
 * @param cameraIds  empty = every camera
 * @param region     null = any
 * @param vehicle    make/model/color/type, lower-cased as the gateway stores them; empty = any
 * @param geoBox     null = anywhere
 * @param limit      hits per page
 * @param after      null for the first page
 * @param queryKey   what the result set depends on, hashed ({@link SearchRequestParser#queryKey}): the
 *                   key a {@code next} token carries and a {@code search_after} must match
 */
public record SearchRequest(PlateQuery plate, CandidateQuery candidates, Instant from, Instant to,
                            List<String> cameraIds, String region, Map<String, String> vehicle, GeoBox geoBox,
                            int limit, PageToken after, String queryKey) {
    public SearchRequest {
        cameraIds = List.copyOf(cameraIds);
        vehicle = Map.copyOf(vehicle);
    }
}
