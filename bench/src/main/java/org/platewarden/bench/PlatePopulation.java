package org.platewarden.bench;

import java.util.Random;

/**
 * A fixed population of vehicles with realistic plate formats and skewed sighting frequency:
 * a small "commuter" set is seen over and over (as real ALPR traffic is), the long tail rarely.
 * Immutable after construction, so all connections share one instance.
 */
public final class PlatePopulation {
    private static final String LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ";
    private static final String DIGITS = "0123456789";

    private final String[] plates;
    private final int hotCount;

    public PlatePopulation(int size, long seed) {
        if (size < 10) throw new IllegalArgumentException("population must hold at least 10 plates");
        Random random = new Random(seed);
        plates = new String[size];
        for (int i = 0; i < size; i++) plates[i] = randomPlate(random);
        hotCount = Math.max(1, size / 20);
    }

    public int size() {
        return plates.length;
    }

    public String plate(int index) {
        return plates[index];
    }

    /** 60% of sightings come from the hottest 5% of vehicles. */
    public String pick(Random random) {
        if (random.nextInt(100) < 60) return plates[random.nextInt(hotCount)];
        return plates[random.nextInt(plates.length)];
    }

    /** Formats seen in the US and Europe, as printed (with the spaces and dashes the camera reports). */
    static String randomPlate(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> pick(r, LETTERS, 3) + " " + pick(r, DIGITS, 4);                         // ABC 1234
            case 1 -> pick(r, DIGITS, 1) + pick(r, LETTERS, 3) + pick(r, DIGITS, 3);          // 7ABC123
            case 2 -> pick(r, LETTERS, 2) + pick(r, DIGITS, 2) + " " + pick(r, LETTERS, 3);   // AB12 CDE
            case 3 -> pick(r, DIGITS, 3) + "-" + pick(r, LETTERS, 3);                         // 123-ABC
            case 4 -> pick(r, LETTERS, 3) + "-" + pick(r, DIGITS, 3);                         // ABC-123
            default -> pick(r, LETTERS, 2) + "-" + pick(r, LETTERS, 2) + " " + pick(r, DIGITS, 3); // AB-CD 123
        };
    }

    private static String pick(Random r, String alphabet, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return sb.toString();
    }
}
