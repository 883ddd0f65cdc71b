package org.platewarden.core.deadletter;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A read that was refused or could not be indexed, kept so ops can inspect it and nothing invalid
 * disappears silently. {@code stage} is where it was refused ({@code gateway-http},
 * {@code gateway-mqtt}, {@code indexer}); {@code payload} is the offending read (possibly truncated,
 * see {@code truncated}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(
        @JsonProperty("at") Instant at,
        @JsonProperty("stage") String stage,
        @JsonProperty("camera_id") String cameraId,
        @JsonProperty("read_id") String readId,
        @JsonProperty("reason") String reason,
        @JsonProperty("payload") String payload,
        @JsonProperty("truncated") boolean truncated) {

    /** Payloads larger than this are cut so one bad message cannot fill the disk. */
    public static final int MAX_PAYLOAD_CHARS = 16 * 1024;

    public static DeadLetter of(String stage, String cameraId, String readId, String reason, String payload) {
        boolean cut = payload != null && payload.length() > MAX_PAYLOAD_CHARS;
        return new DeadLetter(Instant.now(), stage, cameraId, readId, reason,
                cut ? payload.substring(0, MAX_PAYLOAD_CHARS) : payload, cut);
    }
}
