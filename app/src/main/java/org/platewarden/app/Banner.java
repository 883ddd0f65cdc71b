package org.platewarden.app;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** What {@code ./platewarden run} prints once everything is up. */
final class Banner {
    private Banner() {
    }

    static String render(PlatewardenNode node, boolean demo) {
        StringBuilder sb = new StringBuilder();
        sb.append("\nPlatewarden is running\n");
        sb.append("  Elasticsearch  ").append(node.elasticsearchUrl())
                .append(node.embeddedElasticsearch() ? "  (embedded, stops with this process)" : "  (ES_URL)").append('\n');
        sb.append("  retention      ").append(node.config().retentionDays()).append(" days, enforced by ")
                .append(node.templates().retention().wireName()).append('\n');
        if (node.gatewayHttpPort() > 0) {
            sb.append("  ingest HTTP    http://localhost:").append(node.gatewayHttpPort()).append("/v1/reads\n");
            sb.append("  ingest MQTT    mqtt://localhost:").append(node.mqttPort()).append("  topic platewarden/reads/{camera_id}\n");
        }
        if (node.searchPort() > 0) {
            sb.append("  search API     http://localhost:").append(node.searchPort()).append("/v1/search\n");
            sb.append("  transparency   http://localhost:").append(node.searchPort()).append("/v1/transparency\n");
        }
        sb.append("  health/metrics /health/live, /health/ready, /metrics on both ports\n");
        sb.append("  data           ").append(node.config().dataPath().toAbsolutePath()).append('\n');
        sb.append("  agencies       ").append(agencies(node.config().agencies())).append('\n');
        if (demo) {
            sb.append("""

                    !! DEMO CONFIGURATION — demo only, never for real data: these credentials are public !!
                      cameras   cam-001, cam-002 (DPD), cam-101 (ACSO); secret = demo-<camera id>, e.g. demo-cam-001
                      tokens    demo-dpd-investigator, demo-dpd-supervisor, demo-dpd-auditor, demo-dpd-ops,
                                demo-acso-investigator, demo-fed-investigator
                    """);
            String now = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
            int in = node.gatewayHttpPort() > 0 ? node.gatewayHttpPort() : 8080;
            int s = node.searchPort() > 0 ? node.searchPort() : 8081;
            sb.append("\nTry it:\n");
            sb.append("  curl -u cam-001:demo-cam-001 -H 'Content-Type: application/json' http://localhost:").append(in)
                    .append("/v1/reads \\\n    -d '{\"camera_id\":\"cam-001\",\"captured_at\":\"").append(now)
                    .append("\",\"plate\":\"ABC 1234\",\"plate_confidence\":0.93}'\n");
            sb.append("  curl -H 'Authorization: Bearer demo-dpd-investigator' -H 'Content-Type: application/json' http://localhost:").append(s)
                    .append("/v1/search \\\n    -d '{\"plate\":\"ABC1234\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DPD-2026-000123\"}'\n");
            sb.append("  curl -H 'Authorization: Bearer demo-dpd-auditor' http://localhost:").append(s).append("/v1/audit\n");
        }
        return sb.toString();
    }

    /** Who shares with whom, from the configuration in force (not what the demo usually says). */
    static String agencies(java.util.List<org.platewarden.core.config.Agency> agencies) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (org.platewarden.core.config.Agency a : agencies) {
            if (a.federal()) parts.add(a.id() + " (federal: sees no reads)");
            else if (a.sharesWith().isEmpty()) parts.add(a.id());
            else parts.add(a.id() + " (shares its reads with " + String.join(", ", a.sharesWith()) + ")");
        }
        return String.join(", ", parts);
    }
}
