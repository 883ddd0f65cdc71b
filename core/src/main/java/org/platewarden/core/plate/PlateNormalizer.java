package org.platewarden.core.plate;

import java.util.Locale;

/** {@code plate_norm}: the plate as read, upper-cased, keeping only A-Z and 0-9. */
public final class PlateNormalizer {
    private PlateNormalizer() {
    }

    public static String normalize(String plate) {
        if (plate == null) return "";
        String upper = plate.toUpperCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(upper.length());
        for (int i = 0; i < upper.length(); i++) {
            char c = upper.charAt(i);
            if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) sb.append(c);
        }
        return sb.toString();
    }
}
