package org.platewarden.app;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.core.config.DemoCredentials;

/** What {@code ./platewarden run} prints: once everything is up, and before, while Elasticsearch is awaited. */
final class Banner {
    private Banner() {
    }

    /**
     * What the roles that run here serve: a port of -1, that role does not run (e.g. {@code --roles
     * gateway}); TLS as configured, so the banner shows https where only https is served.
     */
    record Served(int ingestPort, boolean ingestTls, int mqttPort, int mqttTlsPort, int searchPort, boolean searchTls) {
        /** Plain HTTP and MQTT only. */
        static Served plain(int ingestPort, int mqttPort, int searchPort) {
            return new Served(ingestPort, false, mqttPort, -1, searchPort, false);
        }

        String ingest() {
            return (ingestTls ? "https" : "http") + "://localhost:" + ingestPort;
        }

        String search() {
            return (searchTls ? "https" : "http") + "://localhost:" + searchPort;
        }
    }

    /**
     * The warning about public credentials comes from what the config holds ({@link DemoCredentials}),
     * not from the flags it was loaded with: a copied example config runs on them too.
     */
    static String render(PlatewardenNode node) {
        List<String> publicCredentials = DemoCredentials.inUse(node.config());
        Served served = served(node);
        StringBuilder sb = new StringBuilder();
        sb.append("\nPlatewarden is running\n");
        if (node.usesElasticsearch()) {
            sb.append("  Elasticsearch  ").append(node.elasticsearchUrl())
                    .append(node.embeddedElasticsearch() ? "  (embedded, restarted if it dies, stops with this process)" : "  (ES_URL)").append('\n');
            sb.append("  retention      ").append(node.config().retentionDays()).append(" days, enforced by ")
                    .append(node.templates().retention().wireName()).append('\n');
        } else {
            // the gateway never talks to Elasticsearch: none is started, awaited or named here
            sb.append("  Elasticsearch  none on a gateway-only node: reads wait in the spool for a node with the indexer on this data dir\n");
            sb.append("  retention      ").append(node.config().retentionDays()).append(" days (reads captured earlier are refused)\n");
        }
        sb.append(endpoints(served));
        sb.append("  data           ").append(node.config().dataPath().toAbsolutePath()).append('\n');
        sb.append("  agencies       ").append(agencies(node.config().agencies())).append('\n');
        sb.append(demoSection(publicCredentials, served, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString()));
        return sb.toString();
    }

    /**
     * What {@code run} prints while the roles that need Elasticsearch wait for it: what serves
     * already (the gateway takes reads into the spool), what waits, and the samples that work now.
     * {@link #render} follows once they run.
     */
    static String starting(PlatewardenNode node) {
        Served served = served(node);
        StringBuilder sb = new StringBuilder();
        sb.append(node.runsGateway() ? "\nPlatewarden is taking reads; waiting for Elasticsearch\n" : "\nPlatewarden is waiting for Elasticsearch\n");
        sb.append("  Elasticsearch  ").append(node.elasticsearchUrl())
                .append(node.embeddedElasticsearch() ? "  (embedded, starting: 30-40 s, minutes while it recovers its shards)"
                        : "  (ES_URL): not answering yet; the log says why, at least once a minute").append('\n');
        sb.append("  waiting        ").append(node.onceItAnswers()).append("; this banner is printed again then\n");
        sb.append(endpoints(served));
        if (served.searchPort() > 0) {
            sb.append("                 ").append(served.search()).append(" answers 503 until then; /health/ready says why\n");
        }
        sb.append("  data           ").append(node.config().dataPath().toAbsolutePath()).append('\n');
        // only the samples that work now: a read is acknowledged into the spool, a search must wait
        Served now = new Served(served.ingestPort(), served.ingestTls(), served.mqttPort(), served.mqttTlsPort(), -1, served.searchTls());
        sb.append(demoSection(DemoCredentials.inUse(node.config()), now, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString()));
        return sb.toString();
    }

    private static Served served(PlatewardenNode node) {
        return new Served(node.gatewayHttpPort(), node.config().gateway().httpTls(), node.mqttPort(), node.mqttTlsPort(),
                node.searchPort(), node.config().search().tls());
    }

    /** The warning about the public credentials in use, and the sample requests when the ones they use are among them. */
    static String demoSection(List<String> publicCredentials, Served served, String now) {
        if (publicCredentials.isEmpty()) return "";
        StringBuilder sb = new StringBuilder();
        sb.append("\n!! DEMO CREDENTIALS — demo only, never for real data: these secrets are public (README, \"Demo credentials\") !!\n")
                .append("   in use: ").append(String.join(", ", publicCredentials)).append('\n')
                .append("   camera secret = demo-<camera id>, e.g. demo-cam-001; token = demo-<user, . as ->, e.g. demo-dpd-investigator\n");
        // the samples use cam-001 and DPD's investigator and auditor: shown only when those are the demo's
        if (publicCredentials.containsAll(List.of("camera cam-001", "token of dpd.investigator", "token of dpd.auditor"))) {
            sb.append(tryIt(served, now));
        }
        return sb.toString();
    }

    /** What the roles that run here serve. */
    static String endpoints(Served served) {
        StringBuilder sb = new StringBuilder();
        List<String> httpPorts = new ArrayList<>();
        if (served.ingestPort() > 0) {
            httpPorts.add(String.valueOf(served.ingestPort()));
            sb.append(served.ingestTls() ? "  ingest HTTPS   " : "  ingest HTTP    ").append(served.ingest()).append("/v1/reads\n");
            sb.append("  ingest MQTT    mqtt://localhost:").append(served.mqttPort()).append("  topic platewarden/reads/{camera_id}\n");
            if (served.mqttTlsPort() > 0) sb.append("  ingest MQTTS   mqtts://localhost:").append(served.mqttTlsPort()).append("  (TLS)\n");
        }
        if (served.searchPort() > 0) {
            httpPorts.add(String.valueOf(served.searchPort()));
            sb.append("  search API     ").append(served.search()).append("/v1/search\n");
            sb.append("  transparency   ").append(served.search()).append("/v1/transparency\n");
        }
        if (!httpPorts.isEmpty()) {
            sb.append("  health/metrics /health/live, /health/ready, /metrics on ").append(httpPorts.size() == 1 ? "port " : "ports ")
                    .append(String.join(" and ", httpPorts)).append('\n');
        }
        return sb.toString();
    }

    /** Sample requests for the demo credentials, to the roles that run here only; over TLS curl needs the certificate ({@code --cacert}). */
    static String tryIt(Served served, String now) {
        if (served.ingestPort() <= 0 && served.searchPort() <= 0) return "";
        StringBuilder sb = new StringBuilder("\nTry it:\n");
        if (served.ingestPort() > 0) {
            sb.append("  curl ").append(served.ingestTls() ? "--cacert CERT " : "").append("-u cam-001:demo-cam-001 -H 'Content-Type: application/json' ")
                    .append(served.ingest()).append("/v1/reads \\\n    -d '{\"camera_id\":\"cam-001\",\"captured_at\":\"").append(now)
                    .append("\",\"plate\":\"ABC 1234\",\"plate_confidence\":0.93}'\n");
        }
        if (served.searchPort() > 0) {
            String curl = "  curl " + (served.searchTls() ? "--cacert CERT " : "");
            sb.append(curl).append("-H 'Authorization: Bearer demo-dpd-investigator' -H 'Content-Type: application/json' ").append(served.search())
                    .append("/v1/search \\\n    -d '{\"plate\":\"ABC1234\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DPD-2026-000123\"}'\n");
            sb.append(curl).append("-H 'Authorization: Bearer demo-dpd-auditor' ").append(served.search()).append("/v1/audit\n");
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
