package org.platewarden.gateway.ingest;

import java.util.List;
import org.platewarden.core.config.Camera;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.read.StoredRead;

/** A validated batch: documents for the spool, and dead letters for the items that were refused. */
public record PreparedBatch(Camera camera, String source, List<StoredRead> accepted, List<ItemRejection> rejected,
                            List<DeadLetter> deadLetters) {

    public List<byte[]> documents() {
        return accepted.stream().map(StoredRead::document).toList();
    }
}
