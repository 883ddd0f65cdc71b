package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The dead-letter store. {@code max_bytes_per_camera_per_day}: how many bytes of dead letters one
 * camera may have written per UTC day (the day they are written); past it the camera's refused reads
 * are still refused with their reason, but not kept (DeadLetterStore): a camera sending wrong reads
 * in bulk once wrote 20 MB/s of them, kept 21 days on the disk the audit journal needs.
 */
public record DeadLetterConfig(@JsonProperty("max_bytes_per_camera_per_day") long maxBytesPerCameraPerDay) {
    public static final long DEFAULT_MAX_BYTES_PER_CAMERA_PER_DAY = 64L << 20;
    /** Below this a single camera's ordinary refusals (a whole body is kept up to 16 KiB) would soon be cut off. */
    public static final long MIN_MAX_BYTES_PER_CAMERA_PER_DAY = 1L << 20;

    public static DeadLetterConfig defaults() {
        return new DeadLetterConfig(DEFAULT_MAX_BYTES_PER_CAMERA_PER_DAY);
    }
}
