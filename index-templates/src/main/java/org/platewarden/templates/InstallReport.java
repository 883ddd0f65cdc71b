package org.platewarden.templates;

import java.util.List;

/** What the installer applied and which retention mechanism is active on this cluster. */
public record InstallReport(String clusterVersion, boolean ilmAvailable, RetentionMechanism retention, List<String> applied) {
}
