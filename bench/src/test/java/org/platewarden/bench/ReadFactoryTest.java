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
        ReadFactory factory = new ReadFactory(population, "cam-002", "run", 3, 21, 0.03, 5);
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
}
