package org.platewarden.core.read;

import java.util.Locale;

/**
 * {@code region}: the plate's issuing region as the camera or its ALPR software names it, an
 * ISO 3166-like code ({@code US-CO}, {@code GB}; OpenALPR and Plate Recognizer send {@code us-co},
 * {@code gb}). It is a keyword field filtered by exact term, so the gateway stores it and the
 * search API asks for it in this one form, trimmed and upper-cased: a read sent as
 * {@code " us-ca "} is found by a filter on {@code US-CA}, and by one on {@code us-ca}.
 */
public final class RegionCode {
    private RegionCode() {
    }

    /** Trimmed and upper-cased; null for null. */
    public static String normalize(String region) {
        // both return the string itself when nothing changes: the usual "US-CO" costs no copy
        return region == null ? null : region.trim().toUpperCase(Locale.ROOT);
    }
}
