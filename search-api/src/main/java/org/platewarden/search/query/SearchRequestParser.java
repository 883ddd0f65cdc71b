package org.platewarden.search.query;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.platewarden.core.config.SearchConfig;
import org.platewarden.core.plate.CandidateQuery;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.core.plate.PlateQuery;
import org.platewarden.core.plate.PlateQueryException;
import org.platewarden.core.read.DateTimeField;
import org.platewarden.core.read.RegionCode;

/**
 * Turns a {@code POST /v1/search} body into a {@link SearchRequest}, enforcing the dragnet guards
 * that depend only on the request: at least {@code min_known_chars} known plate characters, a
 * window of at most {@code max_window_days}, at most {@code max_results} hits per page, and a plate
 * pattern with an index-backed candidate plan. Unknown fields are refused rather than ignored, so
 * a misspelt filter ("camera_id") cannot silently widen a search.
 *
 * <p>Window: {@code to} defaults to now plus the gateway's {@code future_skew_seconds} (a read a
 * camera with a fast clock stamped a little ahead is accepted, and a search for what was just seen
 * must find it now, not once its time has come) and {@code from} to 24 hours before now; both are
 * inclusive date-times of the form a read's {@code captured_at} takes ({@link DateTimeField}). A window reaching past the retention period is
 * accepted; the days already expired are simply not searched (only held reads are that old).
 */
public final class SearchRequestParser {
    public static final Duration DEFAULT_WINDOW = Duration.ofHours(24);
    public static final int DEFAULT_LIMIT = 100;
    static final int MAX_CAMERA_IDS = 256;
    static final int MAX_TEXT = 64;
    static final Set<String> FIELDS = Set.of("plate", "max_edits", "ocr", "from", "to", "camera_ids", "region",
            "vehicle", "geo_box", "purpose", "case_number", "limit", "search_after");
    static final Set<String> VEHICLE_FIELDS = Set.of("make", "model", "color", "type");

    private final SearchConfig config;
    private final OcrFolding folding;
    private final Clock clock;
    /** how far ahead of now the ingest accepts a read's time ({@code gateway.future_skew_seconds}) */
    private final Duration futureSkew;

    public SearchRequestParser(SearchConfig config, OcrFolding folding, Clock clock, Duration futureSkew) {
        this.config = config;
        this.folding = folding;
        this.clock = clock;
        this.futureSkew = futureSkew;
    }

    /** @throws InvalidSearchRequestException naming the first broken rule */
    public SearchRequest parse(JsonObject body) {
        if (body == null) throw invalid("the request body must be a JSON object");
        for (String field : body.fieldNames()) {
            if (!FIELDS.contains(field)) throw invalid("unknown field '" + abbreviate(field) + "'" + hint(field, FIELDS));
        }
        PlateQuery plate = plate(body);
        CandidateQuery candidates;
        try {
            candidates = CandidateQuery.plan(plate, folding);
        } catch (PlateQueryException e) {
            throw invalid(e.getMessage());
        }
        Instant now = clock.instant();
        Instant to = instant(body, "to", now.plus(futureSkew));
        Instant from = instant(body, "from", (body.containsKey("to") ? to : now).minus(DEFAULT_WINDOW));
        if (from.isAfter(to)) {
            throw invalid("from (" + from + ") is after to (" + to + (body.getValue("to") == null
                    ? ", the default: now plus the " + futureSkew.toSeconds() + " s a camera's clock may run ahead; send a 'to'" : "") + ")");
        }
        Duration window = Duration.between(from, to);
        if (window.compareTo(Duration.ofDays(config.maxWindowDays())) > 0) {
            String length = describe(window);
            // over by less than an hour, the hours shown equal the maximum's: "31 days 0 hours; at most 31 days" read as allowed
            if (length.equals(describe(Duration.ofDays(config.maxWindowDays())))) length = "more than " + length;
            throw invalid("the time window is " + length + "; at most " + config.maxWindowDays() + " days may be searched at once");
        }
        int limit = limit(body);
        List<String> cameraIds = cameraIds(body);
        String region = region(body);
        Map<String, String> vehicle = vehicle(body);
        GeoBox geoBox = geoBox(body);
        String queryKey = queryKey(plate, body.getValue("from") == null ? null : from, body.getValue("to") == null ? null : to,
                cameraIds, region, vehicle, geoBox);
        PageToken after = null;
        Object token = body.getValue("search_after");
        if (token != null) {
            if (!(token instanceof String s)) throw invalid("search_after must be the 'next' string of a previous response");
            try {
                after = PageToken.decode(s, queryKey);
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
        }
        return new SearchRequest(plate, candidates, from, to, cameraIds, region, vehicle, geoBox, limit, after, queryKey);
    }

    /**
     * A hash of what decides a search's matches and their order, as parsed (so spellings of the
     * same search agree): the plate pattern, ocr, max_edits, the window as sent ({@code null} for
     * a default bound, which moves with the clock), the camera ids as a set, region, vehicle and
     * geo box. Not the limit (pages of any size continue the same ranking), nor purpose or case
     * number. 96 bits, base64url.
     */
    static String queryKey(PlateQuery plate, Instant from, Instant to, List<String> cameraIds, String region,
                           Map<String, String> vehicle, GeoBox geoBox) {
        StringBuilder sb = new StringBuilder();
        sb.append(plate.pattern()).append('\u0000').append(plate.ocr()).append('\u0000').append(plate.maxEdits())
                .append('\u0000').append(from).append('\u0000').append(to)
                .append('\u0000').append(new java.util.TreeSet<>(cameraIds))
                .append('\u0000').append(region)
                .append('\u0000').append(new java.util.TreeMap<>(vehicle))
                .append('\u0000').append(geoBox);
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 12));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private PlateQuery plate(JsonObject body) {
        Object raw = body.getValue("plate");
        if (raw == null) throw invalid("plate is required");
        if (!(raw instanceof String text)) throw invalid("plate must be a string");
        Object ocr = body.getValue("ocr");
        if (ocr != null && !(ocr instanceof Boolean)) throw invalid("ocr must be true or false");
        Object edits = body.getValue("max_edits");
        Integer maxEdits = null;
        if (edits != null) {
            if (!isIntegral(edits)) throw invalid("max_edits must be an integer 0.." + PlateQuery.MAX_EDITS);
            long v = ((Number) edits).longValue();
            if (v < 0 || v > PlateQuery.MAX_EDITS) throw invalid("max_edits must be an integer 0.." + PlateQuery.MAX_EDITS);
            maxEdits = (int) v;
        }
        PlateQuery query;
        try {
            query = PlateQuery.parse(text, (Boolean) ocr, maxEdits);
        } catch (PlateQueryException e) {
            throw invalid(e.getMessage());
        }
        // the dragnet guard counts the characters a match must contain: each allowed edit can spoil
        // one, so "*XYZ*" with 2 edits needs only one of X, Y, Z and would return most plates
        if (query.effectiveKnownChars() < config.minKnownChars()) {
            throw invalid("plate pattern '" + query.pattern() + "' has " + query.knownChars() + " known character" + (query.knownChars() == 1 ? "" : "s")
                    + (query.maxEdits() > 0 ? ", " + query.effectiveKnownChars() + " once " + query.maxEdits() + " may be edits" : "")
                    + "; at least " + config.minKnownChars() + " are required");
        }
        return query;
    }

    private Instant instant(JsonObject body, String field, Instant fallback) {
        Object raw = body.getValue(field);
        if (raw == null) return fallback;
        try {
            return DateTimeField.parse(field, raw);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private int limit(JsonObject body) {
        Object raw = body.getValue("limit");
        if (raw == null) return Math.min(DEFAULT_LIMIT, config.maxResults());
        // a whole number too large for isIntegral (1e30) is out of range, not "not an integer": the one message says both
        if (!isIntegral(raw)) throw invalid("limit must be an integer from 1 to " + config.maxResults());
        long v = ((Number) raw).longValue();
        if (v < 1) throw invalid("limit must be at least 1");
        if (v > config.maxResults()) throw invalid("limit " + v + " is above the maximum of " + config.maxResults());
        return (int) v;
    }

    private static List<String> cameraIds(JsonObject body) {
        Object raw = body.getValue("camera_ids");
        if (raw == null) return List.of();
        if (!(raw instanceof JsonArray array)) throw invalid("camera_ids must be an array of camera ids");
        if (array.size() > MAX_CAMERA_IDS) throw invalid("camera_ids may name at most " + MAX_CAMERA_IDS + " cameras");
        List<String> out = new ArrayList<>(array.size());
        for (Object v : array) {
            if (!(v instanceof String s) || s.isBlank() || s.length() > MAX_TEXT) {
                throw invalid("camera_ids must hold camera ids (1-" + MAX_TEXT + " characters)");
            }
            out.add(s);
        }
        return out;
    }

    private static String region(JsonObject body) {
        Object raw = body.getValue("region");
        if (raw == null) return null;
        if (!(raw instanceof String s) || s.isBlank() || s.length() > MAX_TEXT) {
            throw invalid("region must be a string of 1-" + MAX_TEXT + " characters");
        }
        // the form the gateway stores regions in, so "us-ca" finds the reads sent as " US-CA "
        return RegionCode.normalize(s);
    }

    private static Map<String, String> vehicle(JsonObject body) {
        Object raw = body.getValue("vehicle");
        if (raw == null) return Map.of();
        if (!(raw instanceof JsonObject v)) throw invalid("vehicle must be an object {make, model, color, type}");
        Map<String, String> out = new LinkedHashMap<>();
        for (String field : v.fieldNames()) {
            if (!VEHICLE_FIELDS.contains(field)) {
                throw invalid("unknown vehicle field '" + abbreviate(field) + "'" + hint(field, VEHICLE_FIELDS));
            }
            Object value = v.getValue(field);
            if (value == null) continue;
            if (!(value instanceof String s) || s.isBlank() || s.length() > MAX_TEXT) {
                throw invalid("vehicle." + field + " must be a string of 1-" + MAX_TEXT + " characters");
            }
            // the gateway stores vehicle attributes lower-cased, so the filter is case-insensitive
            out.put(field, s.trim().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static GeoBox geoBox(JsonObject body) {
        Object raw = body.getValue("geo_box");
        if (raw == null) return null;
        if (!(raw instanceof JsonObject box)) throw invalid("geo_box must be {top_left:{lat,lon}, bottom_right:{lat,lon}}");
        for (String field : box.fieldNames()) {
            if (!field.equals("top_left") && !field.equals("bottom_right")) throw invalid("unknown geo_box field '" + abbreviate(field) + "'");
        }
        double[] topLeft = point(box, "top_left");
        double[] bottomRight = point(box, "bottom_right");
        if (topLeft[0] < bottomRight[0]) throw invalid("geo_box top_left.lat must not be below bottom_right.lat");
        return new GeoBox(topLeft[0], topLeft[1], bottomRight[0], bottomRight[1]);
    }

    private static double[] point(JsonObject box, String name) {
        Object raw = box.getValue(name);
        if (!(raw instanceof JsonObject p)) throw invalid("geo_box." + name + " must be {lat, lon}");
        Object lat = p.getValue("lat");
        Object lon = p.getValue("lon");
        if (p.size() != 2 || !(lat instanceof Number la) || !(lon instanceof Number lo)) {
            throw invalid("geo_box." + name + " must be {lat, lon} with numbers");
        }
        double latV = la.doubleValue(), lonV = lo.doubleValue();
        if (!(latV >= -90 && latV <= 90) || !(lonV >= -180 && lonV <= 180)) {
            throw invalid("geo_box." + name + " is outside lat -90..90, lon -180..180");
        }
        return new double[] {latV, lonV};
    }

    private static boolean isIntegral(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) return true;
        return v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e9;
    }

    /**
     * What the caller may have meant: the known field closest to {@code field} when it is at most 2
     * edits away ({@code camera_id} → {@code camera_ids}, {@code colour} → {@code color}), else the
     * known fields.
     */
    public static String hint(String field, Set<String> known) {
        String lower = field.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = 3;
        for (String k : new java.util.TreeSet<>(known)) {
            int d = levenshtein(lower, k, bestDistance);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null ? " (did you mean '" + best + "'?)" : " (known fields: " + String.join(", ", new java.util.TreeSet<>(known)) + ")";
    }

    /** Edit distance between two short strings, any value of {@code cap} or more reported as {@code cap}. */
    private static int levenshtein(String a, String b, int cap) {
        if (Math.abs(a.length() - b.length()) >= cap || a.length() > MAX_TEXT) return cap;
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1), Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return Math.min(prev[b.length()], cap);
    }

    private static String describe(Duration d) {
        long hours = d.toHours();
        return hours >= 48 ? (hours / 24) + " days " + (hours % 24) + " hours" : hours + " hours";
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
    }

    private static InvalidSearchRequestException invalid(String message) {
        return new InvalidSearchRequestException(message);
    }
}
