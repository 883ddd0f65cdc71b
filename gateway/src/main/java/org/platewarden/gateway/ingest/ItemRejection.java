package org.platewarden.gateway.ingest;

import org.platewarden.core.read.Rejection;

/** A refused item of a batch: its 0-based position and why. */
public record ItemRejection(int index, Rejection rejection) {
}
