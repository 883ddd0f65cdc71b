package org.platewarden.search.query;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.platewarden.core.plate.PlateMatch;

/**
 * The ranking key of the last hit of a page ({@code next} in a response, {@code search_after} in
 * the following request): match tier, capture time and read id, the three keys of
 * {@link org.platewarden.core.plate.PlateMatchRanking}. Opaque to clients (base64url text); the
 * next page holds exactly the matches that rank after this key, so pages never overlap or skip.
 */
public record PageToken(int tier, long capturedAtMs, String readId) {
    private static final String VERSION = "1";

    public String encode() {
        String raw = VERSION + ":" + tier + ":" + capturedAtMs + ":" + readId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when the text is not a token this API produced */
    public static PageToken decode(String token) {
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("search_after is not a token returned by a previous search");
        }
        String[] parts = raw.split(":", 4);
        if (parts.length != 4 || !parts[0].equals(VERSION) || parts[3].isEmpty()) {
            throw new IllegalArgumentException("search_after is not a token returned by a previous search");
        }
        try {
            int tier = Integer.parseInt(parts[1]);
            if (tier < 0 || tier > 3) throw new NumberFormatException();
            return new PageToken(tier, Long.parseLong(parts[2]), parts[3]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("search_after is not a token returned by a previous search");
        }
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
