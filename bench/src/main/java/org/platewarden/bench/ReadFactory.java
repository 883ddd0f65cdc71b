package org.platewarden.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;

/**
 * Builds reads in the native read model (DESIGN.md) for one connection. Not thread-safe: one per
 * connection. Every read carries an explicit, run-unique {@code read_id} so that a run can later
 * prove that each acknowledged id is present (a derived id could collide on repeat sightings).
 */
public final class ReadFactory {
    private static final String[] MAKES = {"Toyota", "Ford", "Honda", "Chevrolet", "Nissan", "Subaru", "Tesla", "BMW"};
    private static final String[] MODELS = {"Camry", "F-150", "Civic", "Malibu", "Altima", "Outback", "Model 3", "X3"};
    private static final String[] COLORS = {"silver", "black", "white", "grey", "blue", "red"};
    private static final String[] TYPES = {"sedan", "pickup", "suv", "hatchback"};
    /** OCR confusions (DESIGN.md's classes) used to simulate misreads. */
    private static final String CONFUSABLE_FROM = "0ODQ1I2Z5S8B6G";
    private static final String CONFUSABLE_TO = "O000I1Z2S5B8G6";

    private final PlatePopulation population;
    private final String cameraId;
    private final String idPrefix;
    private final Random random;
    private final int spreadDays;
    private final long shiftMillis;
    private final double misreadRate;
    private long sequence;

    /**
     * @param spreadDays capture times are spread over today and the previous spreadDays-1 UTC days (1 = last minutes only)
     * @param daysAgo     capture times moved back by this many whole days (0 = as above)
     */
    public ReadFactory(PlatePopulation population, String cameraId, String runId, int connection, int spreadDays, int daysAgo,
                       double misreadRate, long seed) {
        this.population = population;
        this.cameraId = cameraId;
        this.idPrefix = cameraId + ":" + runId + "-" + connection + ":";
        this.random = new Random(seed);
        this.spreadDays = Math.max(1, spreadDays);
        this.shiftMillis = Math.max(0, daysAgo) * 86_400_000L;
        this.misreadRate = misreadRate;
    }

    public String cameraId() {
        return cameraId;
    }

    /** The next read; its id is {@link Read#id()}. */
    public Read next() {
        long seq = ++sequence;
        String plate = population.pick(random);
        if (random.nextDouble() < misreadRate) plate = misread(plate);
        long now = System.currentTimeMillis() - shiftMillis;
        long captured;
        if (spreadDays == 1) {
            captured = now - 1000 - random.nextInt(60_000);
        } else {
            // from just after midnight UTC of the oldest day to now; ten minutes clear of that
            // boundary so a run that crosses midnight does not produce reads the retention check refuses
            long sinceMidnight = Math.floorMod(now, 86_400_000L);
            long span = (spreadDays - 1) * 86_400_000L + sinceMidnight - 600_000L;
            captured = now - 1000 - (long) (random.nextDouble() * Math.max(0, span));
        }
        String readId = idPrefix + seq;
        int v = random.nextInt(MAKES.length);
        String json = "{\"read_id\":\"" + readId + "\",\"camera_id\":\"" + cameraId
                + "\",\"captured_at\":\"" + Instant.ofEpochMilli(captured)
                + "\",\"plate\":\"" + plate
                + "\",\"plate_confidence\":" + fixed(0.55 + random.nextDouble() * 0.44, 100)
                + ",\"region\":\"US-CO\",\"location\":{\"lat\":" + fixed(39.70 + random.nextDouble() * 0.1, 100_000)
                + ",\"lon\":" + fixed(-105.0 + random.nextDouble() * 0.1, 100_000)
                + "},\"heading_deg\":" + random.nextInt(360) + ",\"lane\":" + (1 + random.nextInt(3))
                + ",\"vehicle\":{\"make\":\"" + MAKES[v] + "\",\"model\":\"" + MODELS[v] + "\",\"color\":\""
                + COLORS[random.nextInt(COLORS.length)] + "\",\"type\":\"" + TYPES[random.nextInt(TYPES.length)]
                + "\"},\"image_ref\":\"https://" + cameraId + ".local/crops/" + captured + ".jpg\"}";
        return new Read(readId, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code value} with as many decimals as {@code scale} has zeros. String.format cost ~1 µs per
     * call, three calls per read: a quarter of a core at 90k reads/s, taken from the gateway on the
     * same machine.
     */
    static String fixed(double value, int scale) {
        long scaled = Math.round(Math.abs(value) * scale);
        String fraction = Long.toString(scale + scaled % scale).substring(1);
        return (value < 0 && scaled != 0 ? "-" : "") + (scaled / scale) + "." + fraction;
    }

    private String misread(String plate) {
        char[] chars = plate.toCharArray();
        for (int attempt = 0; attempt < 4; attempt++) {
            int i = random.nextInt(chars.length);
            int k = CONFUSABLE_FROM.indexOf(chars[i]);
            if (k >= 0) {
                chars[i] = CONFUSABLE_TO.charAt(k);
                return new String(chars);
            }
        }
        return plate;
    }

    public record Read(String id, byte[] json) {
    }
}
