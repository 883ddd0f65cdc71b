package org.platewarden.core.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.platewarden.core.config.Camera;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.core.plate.PlateCharacterException;
import org.platewarden.core.plate.PlateNormalizer;

/**
 * Turns one incoming read (the native read model, as {@link ReadInputReader} read it) plus the
 * authenticated camera into the stored read document, or a {@link Rejection} with a reason.
 *
 * <p>Rules that are not obvious:
 * <ul>
 * <li>Unknown top-level (and location/vehicle) fields are rejected: the index mapping is strict, so
 * such a read would otherwise fail later in the indexer, far from the camera that sent it.</li>
 * <li>A field given twice (anywhere in the read) is rejected ({@code duplicate_field}): a JSON
 * parser keeps one of the values, and which one differs between parsers, so a read that says
 * {@code camera_id} twice could pass the check with one value and mean the other.</li>
 * <li>The agency always comes from the camera registry. A payload {@code agency} equal to the
 * registry's is tolerated (and ignored); a different one is rejected ({@code agency_mismatch}),
 * because it signals a misconfigured camera that believes it reports for someone else.</li>
 * <li>Retention: a read is accepted only while the daily index of its UTC capture day is not yet
 * expired, i.e. capture day &gt; today(UTC) - retention_days. Storing an older read would make it live
 * past the retention promise (or be deleted at once).</li>
 * <li>{@code captured_at} must carry a UTC offset ({@link IsoInstant} gives the exact forms); it is
 * stored normalised to UTC and cut to the millisecond ({@link CaptureTime}).</li>
 * <li>No text field may hold a control, invisible format or line-separator character
 * ({@code invalid_character}, {@link #checkCharacters}). A text field sent empty or blank counts as
 * absent; a required one is refused saying it is empty or blank. {@code image_ref} is an http(s) URL
 * or a reference without a scheme.</li>
 * <li>{@code plate} is stored as read; {@code plate_norm} is it in A-Z0-9 ({@link PlateNormalizer}:
 * a Cyrillic А123ВС77 is A123BC77). A plate with a letter or digit that is not read as one of those
 * (京, ١) is refused ({@code plate_character}), not stored with the character dropped.</li>
 * <li>{@code region} is stored trimmed and upper-cased ({@link RegionCode}), the form the search
 * API filters on; vehicle attributes lower-cased, likewise.</li>
 * <li>{@code read_id}, when absent, is {@code <camera_id>:<epoch millis>:<tag>}, the tag a keyed
 * hash of the read that holds no plate ({@link ReadIdKey}), so a resend is the same document
 * (idempotent indexing by id) and the ids audit records keep forever name no plate; a sent one is
 * scoped to its camera ({@link #scopedToCamera}).</li>
 * </ul>
 * Thread-safe and cheap: no I/O, so it may run on an event loop.
 */
public final class ReadValidator {
    public static final int PLATE_NORM_MIN = 2;
    public static final int PLATE_NORM_MAX = 10;
    public static final int PLATE_RAW_MAX = 32;
    public static final int IMAGE_REF_MAX = 2048;
    public static final int READ_ID_MAX = 256;
    /**
     * Elasticsearch refuses a document {@code _id} over 512 UTF-8 bytes, and a read's id is its
     * {@code _id} (with its camera prefix): 256 characters of Chinese or emoji are more than that, so the
     * bytes are checked too.
     */
    public static final int READ_ID_MAX_BYTES = 512;
    /** The mapping stores {@code lane} as a {@code short}; a larger lane would be refused by the indexer after the ack. */
    public static final int LANE_MAX = Short.MAX_VALUE;
    public static final int SHORT_TEXT_MAX = 64;

    static final List<String> VEHICLE_FIELDS = List.of("make", "model", "color", "type");

    /**
     * Writes doubles with Jackson's Schubfach writer, which is cheaper than JDK 17's
     * {@code Double.toString} for a read's three or four doubles; both give text that parses back
     * to the same double.
     */
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    /**
     * Each thread writes its documents into one buffer and copies out the bytes: a fresh buffer per
     * read was a third of validation's garbage. A stored read is bounded (every text field has a
     * maximum length), so the buffer stays a few KB.
     */
    private static final ThreadLocal<ByteArrayOutputStream> DOCUMENT_BUFFER = ThreadLocal.withInitial(() -> new ByteArrayOutputStream(1024));

    private final int retentionDays;
    private final int futureSkewSeconds;
    private final Clock clock;
    private final OcrFolding folding = OcrFolding.defaults();
    private final ReadIdKey readIdKey;

    /** With a key of this instance alone ({@link ReadIdKey#random()}): for tests and benchmarks, not a node. */
    public ReadValidator(int retentionDays, int futureSkewSeconds, Clock clock) {
        this(retentionDays, futureSkewSeconds, clock, ReadIdKey.random());
    }

    public ReadValidator(int retentionDays, int futureSkewSeconds, Clock clock, ReadIdKey readIdKey) {
        if (retentionDays < 1) throw new IllegalArgumentException("retentionDays must be >= 1");
        this.retentionDays = retentionDays;
        this.futureSkewSeconds = futureSkewSeconds;
        this.clock = Objects.requireNonNull(clock);
        this.readIdKey = Objects.requireNonNull(readIdKey);
    }

    public static ReadValidator fromConfig(PlatewardenConfig config, Clock clock, ReadIdKey readIdKey) {
        return new ReadValidator(config.retentionDays(), config.gateway().futureSkewSeconds(), clock, readIdKey);
    }

    /**
     * @param read   one read in the native model, as a tree (the vendor adapters build one)
     * @param camera the authenticated camera (its agency is taken from the registry entry)
     * @param source how it arrived: http, mqtt, openalpr, platerecognizer
     */
    public ReadResult validate(JsonNode read, Camera camera, String source) {
        return validate(ReadInputReader.read(read), camera, source);
    }

    /**
     * @param read   one read in the native model, as {@link ReadInputReader} read it from the payload
     * @param camera the authenticated camera (its agency is taken from the registry entry)
     * @param source how it arrived: http, mqtt, openalpr, platerecognizer
     */
    public ReadResult validate(ReadInput read, Camera camera, String source) {
        try {
            return check(read, camera, source);
        } catch (Refused r) {
            return new Rejection(r.code, r.getMessage(), read.readIdHint());
        }
    }

    private StoredRead check(ReadInput read, Camera camera, String source) {
        if (!read.isObject()) throw new Refused(Rejection.NOT_AN_OBJECT, "a read must be a JSON object");
        rejectUnknown(read.unknownField, "");
        if (read.duplicateField != null) {
            throw new Refused(Rejection.DUPLICATE_FIELD, "field '" + read.duplicateField + "' appears more than once");
        }

        String cameraId = requiredText(read.cameraId, ReadFields.CAMERA_ID, SHORT_TEXT_MAX);
        if (!cameraId.equals(camera.id())) {
            throw new Refused(Rejection.CAMERA_MISMATCH, "camera_id '" + cameraId + "' is not the authenticated camera '" + camera.id() + "'");
        }
        String payloadAgency = optionalText(read.agency, ReadFields.AGENCY, SHORT_TEXT_MAX);
        if (payloadAgency != null && !payloadAgency.equals(camera.agency())) {
            throw new Refused(Rejection.AGENCY_MISMATCH, "agency '" + payloadAgency + "' differs from the camera's registered agency");
        }

        Instant capturedAt = capturedAt(read.capturedAt);
        String plate = requiredText(read.plate, ReadFields.PLATE, PLATE_RAW_MAX);
        String norm;
        try {
            norm = PlateNormalizer.normalize(plate);
        } catch (PlateCharacterException e) {
            throw new Refused(Rejection.PLATE_CHARACTER, e.getMessage());
        }
        if (norm.length() < PLATE_NORM_MIN || norm.length() > PLATE_NORM_MAX) {
            throw new Refused(Rejection.PLATE_LENGTH, "plate '" + plate + "' normalises to " + norm.length()
                    + (norm.length() == 1 ? " character" : " characters") + " (allowed " + PLATE_NORM_MIN + ".." + PLATE_NORM_MAX + ")");
        }
        String sentReadId = optionalText(read.readId, ReadFields.READ_ID, READ_ID_MAX);
        String readId = sentReadId == null
                ? readIdKey.derive(cameraId, capturedAt.toEpochMilli(), norm)
                : scopedToCamera(cameraId, sentReadId);
        // a char is at most 3 UTF-8 bytes, so only an id over 170 chars needs its bytes counted
        if (readId.length() > READ_ID_MAX_BYTES / 3 && readId.getBytes(StandardCharsets.UTF_8).length > READ_ID_MAX_BYTES) {
            throw new Refused(Rejection.INVALID_FIELD, ReadFields.READ_ID + " is longer than " + READ_ID_MAX_BYTES
                    + " bytes in UTF-8 once prefixed with its camera ('" + cameraId + ":')");
        }

        Double confidence = optionalNumber(read.plateConfidence, ReadFields.PLATE_CONFIDENCE, 0, 1);
        String region = RegionCode.normalize(optionalText(read.region, ReadFields.REGION, SHORT_TEXT_MAX));
        double[] location = location(read.location);
        Double heading = optionalNumber(read.headingDeg, ReadFields.HEADING_DEG, 0, 360);
        Integer lane = lane(read.lane);
        Map<String, String> vehicle = vehicle(read.vehicle);
        String imageRef = imageRef(read.imageRef);

        Instant receivedAt = clock.instant();
        ByteArrayOutputStream out = DOCUMENT_BUFFER.get();
        out.reset();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(ReadFields.READ_ID, readId);
            g.writeStringField(ReadFields.CAMERA_ID, cameraId);
            g.writeStringField(ReadFields.AGENCY, camera.agency());
            g.writeStringField(ReadFields.CAPTURED_AT, IsoInstant.format(capturedAt));
            g.writeStringField(ReadFields.RECEIVED_AT, IsoInstant.format(receivedAt));
            g.writeStringField(ReadFields.PLATE, plate);
            // the plate's index terms are derived from plate_ocr by the indexer (IndexDocument), not
            // stored: they add nothing to what must be durable and cost the accept path most of its time
            g.writeStringField(ReadFields.PLATE_NORM, norm);
            g.writeStringField(ReadFields.PLATE_OCR, folding.fold(norm));
            g.writeNumberField(ReadFields.PLATE_LEN, norm.length());
            if (confidence != null) g.writeNumberField(ReadFields.PLATE_CONFIDENCE, confidence);
            if (region != null) g.writeStringField(ReadFields.REGION, region);
            if (location != null) {
                g.writeObjectFieldStart(ReadFields.LOCATION);
                g.writeNumberField("lat", location[0]);
                g.writeNumberField("lon", location[1]);
                g.writeEndObject();
            }
            if (heading != null) g.writeNumberField(ReadFields.HEADING_DEG, heading);
            if (lane != null) g.writeNumberField(ReadFields.LANE, lane);
            if (vehicle != null) {
                g.writeObjectFieldStart(ReadFields.VEHICLE);
                for (Map.Entry<String, String> e : vehicle.entrySet()) g.writeStringField(e.getKey(), e.getValue());
                g.writeEndObject();
            }
            if (imageRef != null) g.writeStringField(ReadFields.IMAGE_REF, imageRef);
            g.writeStringField(ReadFields.SOURCE, source);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory cannot fail
        }
        return new StoredRead(readId, cameraId, capturedAt, out.toByteArray());
    }

    private Instant capturedAt(Object value) {
        String text = requiredText(value, ReadFields.CAPTURED_AT, SHORT_TEXT_MAX);
        Instant at;
        try {
            // kept to the millisecond, the precision it is indexed, searched and deduplicated at (CaptureTime)
            at = CaptureTime.stored(IsoInstant.parse(text));
        } catch (DateTimeException e) {
            throw new Refused(Rejection.INVALID_FIELD, "captured_at '" + text + "' is not an ISO-8601 date-time with a UTC offset: "
                    + e.getMessage());
        }
        Instant now = clock.instant();
        if (at.isAfter(now.plusSeconds(futureSkewSeconds))) {
            throw new Refused(Rejection.IN_FUTURE, "captured_at " + at + " is more than " + futureSkewSeconds + "s in the future");
        }
        LocalDate oldestDay = oldestDay(now);
        if (DailyIndex.day(at).isBefore(oldestDay)) {
            throw new Refused(Rejection.TOO_OLD, "captured_at " + at + " is outside the " + retentionDays
                    + "-day retention window (oldest accepted UTC day " + oldestDay + ")");
        }
        return at;
    }

    /** The oldest UTC capture day still inside the retention window at {@code now}. */
    private LocalDate oldestDay(Instant now) {
        return DailyIndex.day(now).minusDays(retentionDays - 1L);
    }

    /**
     * The read's capture time as far as retention is concerned, whatever rule refused it: its
     * {@code captured_at} when that has an offset; for one without ({@code invalid_field}: it cannot
     * be dated exactly) the earliest instant it can denote, local time - 14 h
     * ({@link IsoInstant#earliest}), so a missing offset never lets a plate outlive its window;
     * null when there is none or it is no date-time. What a dead letter is dated and filed by.
     */
    public Instant captureTimeForRetention(ReadInput read) {
        if (read == null || !(read.capturedAt instanceof String text)) return null;
        return IsoInstant.earliest(text);
    }

    /**
     * Whether a read captured at {@code at} is already past the retention window now: its dead letter
     * must not keep the plate (see {@code DeadLetter.pastRetention}).
     */
    public boolean isPastRetention(Instant at) {
        return DailyIndex.day(at).isBefore(oldestDay(clock.instant()));
    }

    private static double[] location(Object value) {
        if (value == null) return null;
        if (!(value instanceof ReadInput.Location loc)) throw new Refused(Rejection.INVALID_FIELD, "location must be an object {lat, lon}");
        rejectUnknown(loc.unknownField, "location.");
        Double lat = optionalNumber(loc.lat, "lat", -90, 90);
        Double lon = optionalNumber(loc.lon, "lon", -180, 180);
        if (lat == null || lon == null) throw new Refused(Rejection.MISSING_FIELD, "location needs both lat and lon");
        return new double[] {lat, lon};
    }

    private static Integer lane(Object value) {
        if (value == null) return null;
        if (!(value instanceof Number n) || !fitsInt(n) || n.intValue() < 0 || n.intValue() > LANE_MAX) {
            throw new Refused(Rejection.INVALID_FIELD, "lane must be an integer 0.." + LANE_MAX);
        }
        return n.intValue();
    }

    /** An integral JSON number within int's range (1.0 is not integral: JSON said it is a fraction). */
    private static boolean fitsInt(Number n) {
        if (n instanceof Integer || n instanceof Short || n instanceof Byte) return true;
        if (n instanceof Long l) return l == l.intValue();
        if (n instanceof BigInteger b) return b.bitLength() < 32;
        return false;
    }

    private static Map<String, String> vehicle(Object value) {
        if (value == null) return null;
        if (!(value instanceof ReadInput.Vehicle v)) throw new Refused(Rejection.INVALID_FIELD, "vehicle must be an object");
        rejectUnknown(v.unknownField, "vehicle.");
        Map<String, String> out = null;
        for (String f : VEHICLE_FIELDS) {
            Object n = v.get(f);
            if (n == null) continue;
            if (!(n instanceof String text)) throw new Refused(Rejection.INVALID_FIELD, "vehicle." + f + " must be a string");
            checkCharacters(text, "vehicle." + f);
            String s = text.trim();
            if (s.length() > SHORT_TEXT_MAX) throw new Refused(Rejection.INVALID_FIELD, "vehicle." + f + " is longer than " + SHORT_TEXT_MAX);
            if (s.isEmpty()) continue;
            if (out == null) out = new LinkedHashMap<>();
            // lower-case so keyword filters match whatever case the camera vendor uses
            out.put(f, s.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static void rejectUnknown(String unknownField, String prefix) {
        if (unknownField != null) throw new Refused(Rejection.UNKNOWN_FIELD, "unknown field '" + prefix + unknownField + "'");
    }

    private static String requiredText(Object value, String field, int maxLength) {
        String s = optionalText(value, field, maxLength);
        if (s != null) return s;
        if (value == null) throw new Refused(Rejection.MISSING_FIELD, field + " is required");
        // present, but nothing to store: said so, not "missing", so the camera looks at the value it sent
        throw new Refused(Rejection.MISSING_FIELD, field + (((String) value).isEmpty() ? " is empty" : " holds only blanks") + "; it is required");
    }

    /**
     * A text field's value; null when absent, JSON null, empty or blank: an optional field sent empty
     * counts as not sent (a camera that fills every field of its template sends {@code "region":""}),
     * as a search filter could never ask for an empty value anyway.
     */
    private static String optionalText(Object value, String field, int maxLength) {
        if (value == null) return null;
        if (!(value instanceof String s)) throw new Refused(Rejection.INVALID_FIELD, field + " must be a string");
        if (s.length() > maxLength) throw new Refused(Rejection.INVALID_FIELD, field + " is longer than " + maxLength + " characters");
        checkCharacters(s, field);
        if (s.isBlank()) return null;
        return s;
    }

    /**
     * Refuses ({@code invalid_character}) a text value holding a character that is not shown as
     * itself: a control character (Unicode Cc: NUL, tab, line feed, ESC, DEL, C1), a format character
     * (Cf: zero-width space and joiners, the soft hyphen, bidirectional embeddings, overrides and
     * isolates, the byte-order mark, tag characters), a line or paragraph separator (U+2028, U+2029),
     * or half of a UTF-16 surrogate pair (no character at all). Read fields are shown to investigators
     * in hits, copied into dead letters, logs and reports, and filtered on by exact value: such a
     * character could break a log line, hide in a plate (AB, U+200B, C1 looks like ABC1;
     * U+202E then 1CBA shows as ABC1) or make two values that look alike differ. No plate,
     * vehicle attribute, region code, read id or link needs one. The message names the character by
     * its code point, never the value itself. Plain ASCII costs one comparison a character.
     */
    private static void checkCharacters(String s, String field) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) continue;
            int cp = c;
            String kind;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(i + 1));
                kind = kind(cp);
                if (kind == null) {
                    i++;
                    continue;
                }
            } else if (Character.isSurrogate(c)) {
                kind = "half of a UTF-16 surrogate pair, not a character";
            } else {
                kind = kind(c);
                if (kind == null) continue;
            }
            throw new Refused(Rejection.INVALID_CHARACTER, field + " holds U+" + String.format("%04X", cp) + " at character " + (i + 1)
                    + ", " + kind + "; text fields may not hold control, invisible format or line-separator characters");
        }
    }

    /** Why the character {@code cp} is refused in a text field, or null when it is not. */
    private static String kind(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL -> "a control character";
            case Character.FORMAT -> "an invisible format character (zero-width, joiner, bidirectional control or the like)";
            case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> "a line or paragraph separator";
            default -> null;
        };
    }

    /**
     * {@code image_ref}: a link to the image crop, shown to investigators and made a link by any user
     * interface. So it is an {@code http} or {@code https} URL, or a reference without a scheme (a
     * path, a key, a file name): {@code javascript:}, {@code data:}, {@code file:} and every other
     * scheme are refused ({@code invalid_field}). A scheme is what URLs (RFC 3986, and browsers) read
     * as one: a letter, then letters, digits, {@code + - .}, then a colon, leading blanks aside (a
     * browser skips them); a reference whose first path segment holds a colon ({@code crop:17.jpg})
     * therefore reads as one too, and is written {@code ./crop:17.jpg}. The vendor webhooks map no
     * {@code image_ref}.
     */
    private static String imageRef(Object value) {
        String s = optionalText(value, ReadFields.IMAGE_REF, IMAGE_REF_MAX);
        if (s == null) return null;
        int start = 0;
        while (start < s.length() && s.charAt(start) == ' ') start++;
        int end = start;
        if (end < s.length() && isAsciiLetter(s.charAt(end))) {
            end++;
            while (end < s.length() && (isAsciiLetter(s.charAt(end)) || (s.charAt(end) >= '0' && s.charAt(end) <= '9')
                    || s.charAt(end) == '+' || s.charAt(end) == '-' || s.charAt(end) == '.')) {
                end++;
            }
        }
        int length = end - start;
        // compared in place: most reads that have an image_ref have an https one (no copy on the accept path)
        boolean web = (length == 5 && s.regionMatches(true, start, "https", 0, 5)) || (length == 4 && s.regionMatches(true, start, "http", 0, 4));
        if (length > 0 && end < s.length() && s.charAt(end) == ':' && !web) {
            throw new Refused(Rejection.INVALID_FIELD, "image_ref has the scheme '" + s.substring(start, Math.min(end, start + 32))
                    + ":'; it must be an http or https URL or a reference without a scheme (a path or key; write a first segment"
                    + " holding ':' as './…')");
        }
        return s;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /**
     * The id a read is stored under: the camera's own prefix {@code <camera_id>:} is put in front of
     * an id that does not start with it. Cameras number their reads independently (a per-camera
     * counter, a vendor's sequence), so two cameras sending {@code "1001"} the same day are two
     * reads, not a conflict; and no camera can take an id another camera will send. Camera ids
     * hold no {@code ':'} (config validation), so the prefix always names the camera unambiguously.
     * An id already carrying the prefix, like the derived one, is kept as sent, so a resend maps to
     * the same id.
     */
    public static String scopedToCamera(String cameraId, String readId) {
        int n = cameraId.length();
        boolean prefixed = readId.length() > n && readId.charAt(n) == ':' && readId.startsWith(cameraId);
        return prefixed ? readId : cameraId + ":" + readId;
    }

    private static Double optionalNumber(Object value, String field, double min, double max) {
        if (value == null) return null;
        if (!(value instanceof Number n)) throw new Refused(Rejection.INVALID_FIELD, field + " must be a number");
        double d = n.doubleValue();
        // String.valueOf(n) is the text Jackson's tree gave (asText) for the same number
        if (!(d >= min && d <= max)) throw new Refused(Rejection.INVALID_FIELD, field + " must be within [" + fmt(min) + ", " + fmt(max) + "], got " + n);
        return d;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** Control flow for the first failed rule; never escapes {@link #validate}. */
    private static final class Refused extends RuntimeException {
        final String code;

        Refused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }
}
