package org.platewarden.core.plate;

import java.util.List;

/**
 * Maps every character of a normalised plate to the representative of its OCR-equivalence class,
 * so that plates an OCR engine confuses compare equal ({@code plate_ocr}). The default classes
 * are Genetec AutoVu's documented defaults: 0=O=D=Q, 1=I, 2=Z, 5=S, 8=B, 6=G. Other systems add
 * 3/8/B, 1/L/T, 4/A, H/K/M/R ({@link #EXTENDED_CLASSES}); classes are configurable.
 */
public final class OcrFolding {
    public static final List<String> DEFAULT_CLASSES = List.of("0ODQ", "1I", "2Z", "5S", "8B", "6G");
    public static final List<String> EXTENDED_CLASSES = List.of("0ODQ", "1ILT", "2Z", "5S", "38B", "6G", "4A", "HKMR");

    private static final OcrFolding DEFAULT = new OcrFolding(DEFAULT_CLASSES);

    private final char[] representative = new char[128];

    /** Each string is one class; its first character is the representative. Classes must not overlap. */
    public OcrFolding(List<String> classes) {
        for (char c = 0; c < 128; c++) representative[c] = c;
        boolean[] seen = new boolean[128];
        for (String cls : classes) {
            if (cls.isEmpty()) throw new IllegalArgumentException("empty OCR class");
            char rep = cls.charAt(0);
            for (char c : cls.toCharArray()) {
                if (!isPlateChar(c)) throw new IllegalArgumentException("OCR class may only hold A-Z0-9: " + cls);
                if (seen[c]) throw new IllegalArgumentException("character " + c + " is in two OCR classes");
                seen[c] = true;
                representative[c] = rep;
            }
        }
    }

    public static OcrFolding defaults() {
        return DEFAULT;
    }

    /** Folds a normalised plate (A-Z0-9); wildcard characters {@code ?} and {@code *} pass through. */
    public String fold(String norm) {
        char[] out = new char[norm.length()];
        for (int i = 0; i < out.length; i++) out[i] = fold(norm.charAt(i));
        return new String(out);
    }

    public char fold(char c) {
        return c < 128 ? representative[c] : c;
    }

    private static boolean isPlateChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
