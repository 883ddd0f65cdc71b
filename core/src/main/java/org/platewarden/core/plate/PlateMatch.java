package org.platewarden.core.plate;

import java.util.Locale;

/**
 * How a stored plate matched a {@link PlateQuery}; see {@link PlateMatcher} for the exact
 * semantics of each kind.
 *
 * @param kind  exact, wildcard, ocr or edit
 * @param edits 0 for exact, wildcard and ocr; 1..2 for edit
 */
public record PlateMatch(Kind kind, int edits) {
    public enum Kind {
        EXACT, WILDCARD, OCR, EDIT;

        /** The name used in the search API's {@code match.kind}. */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final PlateMatch EXACT = new PlateMatch(Kind.EXACT, 0);
    public static final PlateMatch WILDCARD = new PlateMatch(Kind.WILDCARD, 0);
    public static final PlateMatch OCR = new PlateMatch(Kind.OCR, 0);
    private static final PlateMatch EDIT_1 = new PlateMatch(Kind.EDIT, 1);
    private static final PlateMatch EDIT_2 = new PlateMatch(Kind.EDIT, 2);

    public PlateMatch {
        if (kind == null) throw new IllegalArgumentException("kind is required");
        if (kind == Kind.EDIT ? edits < 1 || edits > PlateQuery.MAX_EDITS : edits != 0) {
            throw new IllegalArgumentException("a " + kind.jsonName() + " match cannot have " + edits + " edits");
        }
    }

    public static PlateMatch edit(int edits) {
        return switch (edits) {
            case 1 -> EDIT_1;
            case 2 -> EDIT_2;
            default -> new PlateMatch(Kind.EDIT, edits);
        };
    }

    /** Rank tier, lower is better: exact/wildcard 0, ocr 1, edit 1 -> 2, edit 2 -> 3. */
    public int tier() {
        return switch (kind) {
            case EXACT, WILDCARD -> 0;
            case OCR -> 1;
            case EDIT -> 1 + edits;
        };
    }

    /**
     * A score for the API's {@code score} field that orders like {@link #tier()}: 1.0, 0.75, 0.5,
     * 0.25. It carries no more information than the tier; recency breaks ties in the ranking.
     */
    public double score() {
        return 1.0 - 0.25 * tier();
    }
}
