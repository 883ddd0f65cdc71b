package org.platewarden.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Checks the policy and template JSON on every run, whether or not the cluster has ILM. */
class TemplateResourcesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final TemplateResources resources = new TemplateResources("pw", 21);

    @Test
    void retentionPolicyDeletesTwentyOneDaysAfterTheIndexDay() throws IOException {
        JsonNode policy = MAPPER.readTree(resources.load(TemplateResources.RETENTION_POLICY)).path("policy");
        JsonNode delete = policy.path("phases").path("delete");
        assertEquals("21d", delete.path("min_age").asText());
        assertTrue(delete.path("actions").has("delete"));
        assertEquals(2, policy.path("phases").size(), "only hot and delete: nothing may move reads elsewhere");
    }

    @Test
    void lifecycleComponentParsesTheOriginationDateFromTheIndexName() throws IOException {
        JsonNode settings = MAPPER.readTree(resources.load(TemplateResources.READS_LIFECYCLE)).path("template").path("settings");
        assertEquals("pw-reads-retention", settings.path("index.lifecycle.name").asText());
        assertTrue(settings.path("index.lifecycle.parse_origination_date").asBoolean());
    }

    @Test
    void everyResourceIsValidJsonWithNoPlaceholderLeft() throws IOException {
        for (String name : new String[] {TemplateResources.READS_MAPPINGS, TemplateResources.READS_SETTINGS,
                TemplateResources.READS_LIFECYCLE, TemplateResources.READS_TEMPLATE, TemplateResources.RETENTION_POLICY,
                TemplateResources.AUDIT_TEMPLATE, TemplateResources.HOLDS_TEMPLATE}) {
            String json = resources.load(name);
            assertFalse(json.contains("${"), name + " still has a placeholder");
            MAPPER.readTree(json);
        }
    }

    @Test
    void auditAndHoldsTemplatesNeverReferenceALifecyclePolicy() {
        assertFalse(resources.load(TemplateResources.AUDIT_TEMPLATE).contains("index.lifecycle"));
        assertFalse(resources.load(TemplateResources.HOLDS_TEMPLATE).contains("index.lifecycle"));
        assertTrue(resources.load(TemplateResources.READS_TEMPLATE).contains("\"pw-reads-*\""));
    }
}
