package org.platewarden.app;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.core.config.DemoCredentials;

/** What {@code ./platewarden run} prints once everything is up. */
final class Banner {
    private Banner() {
    }

    /**
     * The warning about public credentials comes from what the config holds ({@link DemoCredentials}),
     * not from the flags it was loaded with: a copied example config runs on them too.
     */
    static String render(PlatewardenNode node) {
        List<String> publicCredentials = DemoCredentials.inUse(node.config());
        StringBuilder sb = new StringBuilder();
        sb.append("\nPlatewarden is running\n");
        sb.append("  Elasticsearch  ").append(node.elasticsearchUrl())
                .append(node.embeddedElasticsearch() ? "  (embedded, stops with this process)" : "  (ES_URL)").append('\n');
        sb.append("  retention      ").append(node.config().retentionDays()).append(" days, enforced by ")
                .append(node.templates().retention().wireName()).append('\n');
        sb.append(withTls(endpoints(node.gatewayHttpPort(), node.mqttPort(), node.searchPort()), node.config().gateway().httpTls(),
                node.config().search().tls(), node.gatewayHttpPort() > 0 ? node.mqttTlsPort() : -1));
        sb.append("  data           ").append(node.config().dataPath().toAbsolutePath()).append('\n');
        sb.append("  agencies       ").append(agencies(node.config().agencies())).append('\n');
        String samples = demoSection(publicCredentials, node.gatewayHttpPort(), node.searchPort(), Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        sb.append(withTls(samples, node.config().gateway().httpTls(), node.config().search().tls(), -1));
        return sb.toString();
    }

    /**
     * The endpoints (or samples) as served: https where the port serves TLS (a sample's curl then
     * needs the certificate: {@code --cacert}), and the MQTT TLS listener when there is one.
     */
    static String withTls(String text, boolean ingestTls, boolean searchTls, int mqttTlsPort) {
        String out = text;
        if (ingestTls) {
            out = out.replace("  ingest HTTP    http://", "  ingest HTTPS   https://").replace("-u cam-001:demo-cam-001 ", "--cacert CERT -u cam-001:demo-cam-001 ")
                    .replaceAll("http://localhost:(\\d+)/v1/reads", "https://localhost:$1/v1/reads");
        }
        if (searchTls) {
            out = out.replace("  search API     http://", "  search API     https://").replace("  transparency   http://", "  transparency   https://")
                    .replace("curl -H 'Authorization: Bearer", "curl --cacert CERT -H 'Authorization: Bearer")
                    .replaceAll("http://localhost:(\\d+)/v1/(search|audit)", "https://localhost:$1/v1/$2");
        }
        if (mqttTlsPort > 0) {
            int at = out.indexOf("  ingest MQTT ");
            int end = at < 0 ? -1 : out.indexOf('\n', at);
            if (end > 0) out = out.substring(0, end + 1) + "  ingest MQTTS   mqtts://localhost:" + mqttTlsPort + "  (TLS)\n" + out.substring(end + 1);
        }
        return out;
    }

    /** The warning about the public credentials in use, and the sample requests when the ones they use are among them. */
    static String demoSection(List<String> publicCredentials, int ingestPort, int searchPort, String now) {
        if (publicCredentials.isEmpty()) return "";
        StringBuilder sb = new StringBuilder();
        sb.append("\n!! DEMO CREDENTIALS — demo only, never for real data: these secrets are public (README) !!\n")
                .append("   in use: ").append(String.join(", ", publicCredentials)).append('\n')
                .append("   camera secret = demo-<camera id>, e.g. demo-cam-001; token = demo-<user, . as ->, e.g. demo-dpd-investigator\n");
        // the samples use cam-001 and DPD's investigator and auditor: shown only when those are the demo's
        if (publicCredentials.containsAll(List.of("camera cam-001", "token of dpd.investigator", "token of dpd.auditor"))) {
            sb.append(tryIt(ingestPort, searchPort, now));
        }
        return sb.toString();
    }

    /** What the roles that run here serve; a port of -1: that role does not run (e.g. {@code --roles gateway}). */
    static String endpoints(int ingestPort, int mqttPort, int searchPort) {
        StringBuilder sb = new StringBuilder();
        List<String> httpPorts = new ArrayList<>();
        if (ingestPort > 0) {
            httpPorts.add(String.valueOf(ingestPort));
            sb.append("  ingest HTTP    http://localhost:").append(ingestPort).append("/v1/reads\n");
            sb.append("  ingest MQTT    mqtt://localhost:").append(mqttPort).append("  topic platewarden/reads/{camera_id}\n");
        }
        if (searchPort > 0) {
            httpPorts.add(String.valueOf(searchPort));
            sb.append("  search API     http://localhost:").append(searchPort).append("/v1/search\n");
            sb.append("  transparency   http://localhost:").append(searchPort).append("/v1/transparency\n");
        }
        if (!httpPorts.isEmpty()) {
            sb.append("  health/metrics /health/live, /health/ready, /metrics on ").append(httpPorts.size() == 1 ? "port " : "ports ")
                    .append(String.join(" and ", httpPorts)).append('\n');
        }
        return sb.toString();
    }

    /** Sample requests for the demo credentials, to the roles that run here only (ports as in {@link #endpoints}). */
    static String tryIt(int ingestPort, int searchPort, String now) {
        if (ingestPort <= 0 && searchPort <= 0) return "";
        StringBuilder sb = new StringBuilder("\nTry it:\n");
        if (ingestPort > 0) {
            sb.append("  curl -u cam-001:demo-cam-001 -H 'Content-Type: application/json' http://localhost:").append(ingestPort)
                    .append("/v1/reads \\\n    -d '{\"camera_id\":\"cam-001\",\"captured_at\":\"").append(now)
                    .append("\",\"plate\":\"ABC 1234\",\"plate_confidence\":0.93}'\n");
        }
        if (searchPort > 0) {
            sb.append("  curl -H 'Authorization: Bearer demo-dpd-investigator' -H 'Content-Type: application/json' http://localhost:").append(searchPort)
                    .append("/v1/search \\\n    -d '{\"plate\":\"ABC1234\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DPD-2026-000123\"}'\n");
            sb.append("  curl -H 'Authorization: Bearer demo-dpd-auditor' http://localhost:").append(searchPort).append("/v1/audit\n");
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
