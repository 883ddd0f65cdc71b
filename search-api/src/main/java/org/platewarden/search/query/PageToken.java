package org.platewarden.search.query;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.platewarden.core.plate.PlateMatch;

/**
 * The ranking key of the last hit of a page ({@code next} in a response, {@code search_after} in
 * the following request): match tier, capture time and read id, the three keys of
 * {@link org.platewarden.core.plate.PlateMatchRanking}. Opaque to clients (base64url text); the
 * next page holds exactly the matches that rank after this key, so pages never overlap or skip.
 *
 * <p>The text also carries the {@link SearchRequest#queryKey() query key} of the search that
 * returned it, and is only taken back by a search with the same key: the key of another search
 * would continue a different ranking at a point that means nothing in it, skipping matches
 * silently.
 */
public record PageToken(int tier, long capturedAtMs, String readId) {
    private static final String VERSION = "2";
    private static final String NOT_A_TOKEN = "search_after is not a token returned by a previous search";

    /** @param queryKey the key of the search whose page this token ends */
    public String encode(String queryKey) {
        String raw = VERSION + ":" + queryKey + ":" + tier + ":" + capturedAtMs + ":" + readId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param queryKey the key of the search the token is sent with
     * @throws IllegalArgumentException when the text is not a token this API produced, or one
     *                                  produced by a search with another key
     */
    public static PageToken decode(String token, String queryKey) {
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(NOT_A_TOKEN);
        }
        if (raw.startsWith("1:")) {
            throw new IllegalArgumentException("search_after is a token of an earlier version of this API; run the search again without it");
        }
        String[] parts = raw.split(":", 5);
        if (parts.length != 5 || !parts[0].equals(VERSION) || parts[4].isEmpty()) throw new IllegalArgumentException(NOT_A_TOKEN);
        PageToken decoded;
        try {
            int tier = Integer.parseInt(parts[2]);
            if (tier < 0 || tier > 3) throw new NumberFormatException();
            decoded = new PageToken(tier, Long.parseLong(parts[3]), parts[4]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(NOT_A_TOKEN);
        }
        if (!parts[1].equals(queryKey)) {
            throw new IllegalArgumentException("search_after is the 'next' of a different search: a token continues only the search"
                    + " that returned it (the same plate, ocr, max_edits, from, to, camera_ids, region, vehicle and geo_box);"
                    + " send those fields unchanged, or leave search_after out to start from the first page");
        }
        return decoded;
    }

    /** A match of this token's tier, so the token can be compared with the ranking comparator. */
    PlateMatch tierMatch() {
        return switch (tier) {
            case 0 -> PlateMatch.EXACT;
            case 1 -> PlateMatch.OCR;
            default -> PlateMatch.edit(tier - 1);
        };
    }
}
