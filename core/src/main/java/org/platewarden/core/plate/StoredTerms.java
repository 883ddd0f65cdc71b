package org.platewarden.core.plate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.platewarden.core.read.ReadFields;

/**
 * The plate fields of one stored read, as indexed: {@code plate_norm}, {@code plate_ocr},
 * {@code plate_len}, {@code plate_grams}, {@code plate_dels}. One computation shared by the
 * gateway ({@link #toDocumentFields()}) and by the in-memory evaluation of a
 * {@link CandidateQuery}, so that the two cannot drift apart.
 */
public record StoredTerms(String norm, String ocr, Set<String> grams, Set<String> dels) {
    /** deletions stored per plate; queries rely on this (see {@link CandidateQuery}) */
    public static final int STORED_DELETIONS = 2;

    public StoredTerms {
        grams = Set.copyOf(grams);
        dels = Set.copyOf(dels);
    }

    /** Computes the fields from a plate as read (it is normalised first). */
    public static StoredTerms of(String plate, OcrFolding folding) {
        String norm = PlateNormalizer.normalize(plate);
        String ocr = folding.fold(norm);
        return new StoredTerms(norm, ocr, Set.copyOf(PlateIndexTerms.grams(ocr)),
                Set.copyOf(PlateIndexTerms.deletions(ocr, STORED_DELETIONS)));
    }

    public static StoredTerms of(String plate) {
        return of(plate, OcrFolding.defaults());
    }

    /** {@code plate_len}: number of characters of {@code plate_norm} (folding keeps the length). */
    public int length() {
        return norm.length();
    }

    /** Whether the keyword field holds the term (the fields a {@link CandidateQuery} may ask about). */
    public boolean has(String field, String term) {
        return switch (field) {
            case ReadFields.PLATE_NORM -> norm.equals(term);
            case ReadFields.PLATE_OCR -> ocr.equals(term);
            case ReadFields.PLATE_GRAMS -> grams.contains(term);
            case ReadFields.PLATE_DELS -> dels.contains(term);
            default -> throw new IllegalArgumentException("not a plate keyword field: " + field);
        };
    }

    /** The plate fields of the read document, keyed by {@link ReadFields} names, lists sorted. */
    public Map<String, Object> toDocumentFields() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(ReadFields.PLATE_NORM, norm);
        out.put(ReadFields.PLATE_OCR, ocr);
        out.put(ReadFields.PLATE_LEN, length());
        out.put(ReadFields.PLATE_GRAMS, List.copyOf(new TreeSet<>(grams)));
        out.put(ReadFields.PLATE_DELS, List.copyOf(new TreeSet<>(dels)));
        return out;
    }
}
