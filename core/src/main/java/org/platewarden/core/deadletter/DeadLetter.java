package org.platewarden.core.deadletter;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Base64;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.read.ReadValidator;

/**
 * A read that was refused or could not be indexed, kept so ops can inspect it and nothing invalid
 * disappears silently. {@code stage} is where it was refused ({@code gateway-http},
 * {@code gateway-mqtt}, {@code indexer}); {@code payload} is the offending read as text (possibly
 * truncated, see {@code truncated}). A payload that is not valid UTF-8 cannot be kept as JSON text
 * without replacing its bad bytes (U+FFFD), so its exact bytes are kept as well, in
 * {@code payload_base64}; {@code payload} then stays the lossy text, for grep. Absent otherwise.
 * Both are absent when the refusal never had the bytes (see {@link #withoutPayload}), and when
 * keeping them would break the retention promise: a read captured before the retention window
 * ({@link #pastRetention}) keeps only who sent it, when it was captured and why it was refused,
 * with {@code payload_withheld} saying so.
 *
 * <p>{@code captured_at} is the read's capture time when it is known ({@link #withCapturedAt}; for a
 * {@code captured_at} sent without a UTC offset, the earliest instant it can denote, local time - 14 h).
 * A letter that keeps a payload is filed under the earlier of the UTC day it is made ({@code at}) and that
 * capture day ({@link #fileDay}), so the file that holds its plate is deleted when the read's own day
 * expires, not {@code retention_days} after the refusal. A letter without payload holds no plate and
 * is filed by the day it is made, so ops can still see it for the whole window.
 *
 * <p>{@code written_at} is when the store wrote the letter, present only when that is on another UTC day
 * than {@code at} (a letter held back over midnight: the indexer retrying it while the dead-letter
 * disk failed, or one made just before midnight). The quota counts a letter by the day it is written,
 * so this is what a restart counts it by ({@link QuotaRestore}). See {@link #asWrittenAt}.
 *
 * <p>{@code read_id} is at most {@link #MAX_READ_ID_CHARS} characters: a longer one (a camera's
 * {@code read_id} refused for its length) is cut there, and {@code read_id_length} gives its length as
 * sent; absent otherwise. The letter stays bounded, and ops can still find it by the id's start.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(
        @JsonProperty("at") Instant at,
        // before stage and camera_id: the start-up count of the quota parses only the start of each line
        @JsonProperty("written_at") Instant writtenAt,
        @JsonProperty("stage") String stage,
        @JsonProperty("camera_id") String cameraId,
        @JsonProperty("read_id") String readId,
        @JsonProperty("read_id_length") Integer readIdLength,
        @JsonProperty("captured_at") Instant capturedAt,
        @JsonProperty("reason") String reason,
        @JsonProperty("payload_withheld") String payloadWithheld,
        @JsonProperty("payload") String payload,
        @JsonProperty("payload_base64") String payloadBase64,
        @JsonProperty("truncated") boolean truncated) {

    /** Payloads larger than this are cut so one bad message cannot fill the disk. */
    public static final int MAX_PAYLOAD_CHARS = 16 * 1024;
    /** The same bound for the exact bytes of a payload that is not UTF-8. */
    public static final int MAX_PAYLOAD_BYTES = 16 * 1024;

    /**
     * The longest {@code read_id} a letter keeps whole: the longest id a read can be stored under
     * ({@link ReadValidator#READ_ID_MAX_BYTES} UTF-8 bytes are at most as many characters), so only an
     * id no read could have is cut.
     */
    public static final int MAX_READ_ID_CHARS = ReadValidator.READ_ID_MAX_BYTES;

    /** Cuts a {@code read_id} over {@link #MAX_READ_ID_CHARS} (not inside a surrogate pair), noting its length in {@code read_id_length}. */
    public DeadLetter {
        if (readId != null && readId.length() > MAX_READ_ID_CHARS) {
            readIdLength = readId.length();
            int end = Character.isHighSurrogate(readId.charAt(MAX_READ_ID_CHARS - 1)) ? MAX_READ_ID_CHARS - 1 : MAX_READ_ID_CHARS;
            readId = readId.substring(0, end);
        }
    }

    /** A letter as it is made: not written yet (no {@code written_at}); a long read id is cut as above. */
    public DeadLetter(Instant at, String stage, String cameraId, String readId, Instant capturedAt, String reason, String payloadWithheld,
                      String payload, String payloadBase64, boolean truncated) {
        this(at, null, stage, cameraId, readId, null, capturedAt, reason, payloadWithheld, payload, payloadBase64, truncated);
    }

    /** A payload that is text already (it was decoded, or built, as valid UTF-8). */
    public static DeadLetter of(String stage, String cameraId, String readId, String reason, String payload) {
        boolean cut = payload != null && payload.length() > MAX_PAYLOAD_CHARS;
        return new DeadLetter(Instant.now(), stage, cameraId, readId, null, reason, null,
                cut ? payload.substring(0, MAX_PAYLOAD_CHARS) : payload, null, cut);
    }

    /**
     * A refusal of something whose bytes were never available to keep: e.g. an MQTT packet above
     * the size limit, which the decoder discards unread. No payload fields at all, rather than an
     * empty one, so it cannot be mistaken for an empty message.
     */
    public static DeadLetter withoutPayload(String stage, String cameraId, String reason) {
        return new DeadLetter(Instant.now(), stage, cameraId, null, null, reason, null, null, null, false);
    }

    /** What {@code payload_withheld} says of a read that was past retention when it arrived. */
    public static final String PAST_RETENTION = "past_retention: the read was captured before the retention window,"
            + " so its payload and plate are not kept (storing them would break the retention promise)";

    /**
     * A read that was already past retention when it arrived: its plate must not outlive the window
     * in a dead letter either. Keeps the camera, the read id (the caller leaves out one that holds
     * the plate), the capture time and the reason; no payload.
     */
    public static DeadLetter pastRetention(String stage, String cameraId, String readId, Instant capturedAt, String reason) {
        return new DeadLetter(Instant.now(), stage, cameraId, readId, capturedAt, reason, PAST_RETENTION, null, null, false);
    }

    /**
     * This letter with its read's capture time (null: unknown, the letter is filed by the day it is
     * written). The earliest instant the read can denote, for a capture time without an offset.
     */
    public DeadLetter withCapturedAt(Instant capturedAt) {
        return new DeadLetter(at, writtenAt, stage, cameraId, readId, readIdLength, capturedAt, reason, payloadWithheld, payload,
                payloadBase64, truncated);
    }

    /**
     * This letter as the store writes it at {@code now}: with {@code written_at} when {@code now} is on
     * another UTC day than {@code at}, itself otherwise (the common case costs no bytes).
     */
    public DeadLetter asWrittenAt(Instant now) {
        if (DailyIndex.day(now).equals(DailyIndex.day(at))) return this;
        return new DeadLetter(at, now, stage, cameraId, readId, readIdLength, capturedAt, reason, payloadWithheld, payload, payloadBase64,
                truncated);
    }

    /**
     * The UTC day of the file this letter belongs in: the earlier of the day it is made ({@code at})
     * and its read's capture day when it keeps a payload, so its plate goes when the read's day does;
     * the day it is made otherwise (no payload, or no known capture time). The day it is made is the day
     * it is written but for a letter held back over midnight ({@code written_at}).
     */
    public LocalDate fileDay() {
        LocalDate written = DailyIndex.day(at);
        if (capturedAt == null || !keepsPayload()) return written;
        LocalDate captured = DailyIndex.day(capturedAt);
        return captured.isBefore(written) ? captured : written;
    }

    /**
     * The reason's code ({@code read_id_conflict}, {@code too_old} …: what comes before its first colon), which,
     * unlike the message after it, never holds what the camera sent; for log lines.
     */
    public String code() {
        int colon = reason == null ? -1 : reason.indexOf(':');
        return colon < 0 ? String.valueOf(reason) : reason.substring(0, colon);
    }

    /** Whether it holds the refused bytes (and so possibly a plate). */
    public boolean keepsPayload() {
        return payload != null || payloadBase64 != null;
    }

    /**
     * This letter as it may still be written at {@code now}: itself, unless it keeps a payload and its
     * read's day has passed retention since it was built (it waited over midnight, or for a failing
     * disk): then without payload and read id (which may hold the plate), as {@link #pastRetention}.
     */
    public DeadLetter withinRetention(int retentionDays, Instant now) {
        if (!keepsPayload() || capturedAt == null || !DailyIndex.isExpired(DailyIndex.day(capturedAt), retentionDays, now)) return this;
        return new DeadLetter(at, writtenAt, stage, cameraId, null, null, capturedAt, reason, PAST_RETENTION, null, null, false);
    }

    /**
     * The bytes as they arrived. Valid UTF-8 (the common case) costs what decoding it always cost;
     * only a payload whose decoding replaced something is checked strictly and, if it really is
     * not UTF-8, also kept as base64.
     */
    public static DeadLetter of(String stage, String cameraId, String readId, String reason, byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        // decoding replaces every malformed sequence with U+FFFD, so without one the bytes were valid
        if (text.indexOf('\uFFFD') < 0 || isUtf8(payload)) return of(stage, cameraId, readId, reason, text);
        boolean textCut = text.length() > MAX_PAYLOAD_CHARS;
        boolean bytesCut = payload.length > MAX_PAYLOAD_BYTES;
        byte[] kept = bytesCut ? Arrays.copyOf(payload, MAX_PAYLOAD_BYTES) : payload;
        return new DeadLetter(Instant.now(), stage, cameraId, readId, null, reason, null,
                textCut ? text.substring(0, MAX_PAYLOAD_CHARS) : text, Base64.getEncoder().encodeToString(kept), textCut || bytesCut);
    }

    /** The exact bytes of the payload (decoded from {@code payload_base64} when present), as far as kept. */
    public byte[] payloadBytes() {
        if (payloadBase64 != null) return Base64.getDecoder().decode(payloadBase64);
        return payload == null ? new byte[0] : payload.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
