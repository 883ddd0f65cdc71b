package org.platewarden.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.platewarden.core.plate.PlateNormalizer;

class ReadFactoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsFollowTheReadModelWithUniqueIdsAndRepeatSightings() throws Exception {
        PlatePopulation population = new PlatePopulation(1000, 1);
        ReadFactory factory = new ReadFactory(population, "cam-002", "run", 3, 21, 0, 0.03, 5);
        Set<String> ids = new HashSet<>();
        Map<String, Integer> sightings = new HashMap<>();
        Instant oldest = Instant.now().minus(Duration.ofDays(21));
        for (int i = 0; i < 5000; i++) {
            ReadFactory.Read read = factory.next();
            JsonNode node = JSON.readTree(read.json());
            assertEquals(read.id(), node.get("read_id").asText());
            assertEquals("cam-002", node.get("camera_id").asText());
            Instant captured = Instant.parse(node.get("captured_at").asText());
            assertTrue(captured.isAfter(oldest) && captured.isBefore(Instant.now()), "capture time " + captured);
            String norm = PlateNormalizer.normalize(node.get("plate").asText());
            assertTrue(norm.length() >= 2 && norm.length() <= 10, norm);
            assertTrue(ids.add(read.id()), "duplicate id " + read.id());
            sightings.merge(norm, 1, Integer::sum);
        }
        int max = sightings.values().stream().max(Integer::compare).orElse(0);
        assertTrue(max >= 10, "hot vehicles should be seen repeatedly, most seen " + max);
    }

    @Test
    void daysAgoMovesEveryCaptureIntoAnEarlierDay() throws Exception {
        // e2e's warm-up writes into yesterday's index so that the timed run starts on an empty one
        ReadFactory factory = new ReadFactory(new PlatePopulation(100, 1), "cam-001", "run", 0, 1, 1, 0.03, 5);
        for (int i = 0; i < 200; i++) {
            Instant captured = Instant.parse(JSON.readTree(factory.next().json()).get("captured_at").asText());
            Duration age = Duration.between(captured, Instant.now());
            assertTrue(age.compareTo(Duration.ofDays(1)) > 0 && age.compareTo(Duration.ofDays(1).plusMinutes(2)) < 0,
                    "capture time " + captured + " should be a day and under two minutes old");
        }
    }

    @Test
    void fixedPointNumbersMatchStringFormat() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) {
            double lon = -105.0 + random.nextDouble() * 0.1;
            double confidence = 0.55 + random.nextDouble() * 0.44;
            assertEquals(Double.parseDouble(String.format(java.util.Locale.ROOT, "%.5f", lon)),
                    Double.parseDouble(ReadFactory.fixed(lon, 100_000)), 1.01e-5, "lon " + lon);
            assertEquals(String.format(java.util.Locale.ROOT, "%.2f", confidence).length(), ReadFactory.fixed(confidence, 100).length());
        }
        assertEquals("0.05", ReadFactory.fixed(0.05, 100));
        assertEquals("-105.00001", ReadFactory.fixed(-105.00001, 100_000));
        assertEquals("39.70000", ReadFactory.fixed(39.7, 100_000));
    }
}
