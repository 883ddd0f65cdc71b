package org.platewarden.templates;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Loads the JSON resources under {@code /platewarden/templates/} and fills in their placeholders
 * ({@code ${prefix}}, {@code ${retention_days}}), so the same files serve production and tests
 * that isolate themselves by index prefix.
 */
public final class TemplateResources {
    public static final String READS_MAPPINGS = "reads-mappings.component.json";
    public static final String READS_SETTINGS = "reads-settings.component.json";
    public static final String READS_LIFECYCLE = "reads-lifecycle.component.json";
    public static final String READS_TEMPLATE = "reads.index-template.json";
    public static final String RETENTION_POLICY = "reads-retention.ilm-policy.json";
    public static final String AUDIT_TEMPLATE = "audit.index-template.json";
    public static final String HOLDS_TEMPLATE = "holds.index-template.json";
    public static final String DAYS_TEMPLATE = "days.index-template.json";

    private final String prefix;
    private final int retentionDays;

    public TemplateResources(String prefix, int retentionDays) {
        this.prefix = prefix;
        this.retentionDays = retentionDays;
    }

    public String load(String name) {
        try (InputStream in = TemplateResources.class.getResourceAsStream("/platewarden/templates/" + name)) {
            if (in == null) throw new IllegalStateException("missing template resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("${prefix}", prefix)
                    .replace("${retention_days}", Integer.toString(retentionDays));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String prefix() {
        return prefix;
    }

    public int retentionDays() {
        return retentionDays;
    }
}
