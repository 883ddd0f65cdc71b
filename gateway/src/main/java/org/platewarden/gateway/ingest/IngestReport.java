package org.platewarden.gateway.ingest;

import java.util.List;

/** What became of a batch once everything is durable: how many reads are in the spool, which were refused. */
public record IngestReport(int accepted, List<ItemRejection> rejected) {

    public int total() {
        return accepted + rejected.size();
    }
}
