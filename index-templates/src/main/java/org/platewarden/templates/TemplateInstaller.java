package org.platewarden.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the component templates, index templates and (where the cluster has ILM) the retention
 * policy, idempotently: every PUT replaces the previous version with the one in the resources, so a
 * restart after an upgrade brings the cluster in line. Blocking: call at start-up or from a worker,
 * never from an event loop.
 */
public final class TemplateInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(TemplateInstaller.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final RestClient rest;
    private final TemplateResources resources;

    public TemplateInstaller(RestClient rest, TemplateResources resources) {
        this.rest = rest;
        this.resources = resources;
    }

    public InstallReport install() {
        String prefix = resources.prefix();
        String version = clusterVersion();
        boolean ilm = ilmAvailable();
        List<String> applied = new ArrayList<>();
        if (ilm) {
            put("/_ilm/policy/" + prefix + "-reads-retention", resources.load(TemplateResources.RETENTION_POLICY));
            applied.add("ilm policy " + prefix + "-reads-retention");
        }
        put("/_component_template/" + prefix + "-reads-mappings", resources.load(TemplateResources.READS_MAPPINGS));
        put("/_component_template/" + prefix + "-reads-settings", resources.load(TemplateResources.READS_SETTINGS));
        applied.add("component templates " + prefix + "-reads-mappings, " + prefix + "-reads-settings");
        String readsTemplate = resources.load(TemplateResources.READS_TEMPLATE);
        if (ilm) {
            put("/_component_template/" + prefix + "-reads-lifecycle", resources.load(TemplateResources.READS_LIFECYCLE));
            readsTemplate = withComponent(readsTemplate, prefix + "-reads-lifecycle");
            applied.add("component template " + prefix + "-reads-lifecycle");
        }
        put("/_index_template/" + prefix + "-reads", readsTemplate);
        String auditTemplate = resources.load(TemplateResources.AUDIT_TEMPLATE);
        put("/_index_template/" + prefix + "-audit", auditTemplate);
        String holdsTemplate = resources.load(TemplateResources.HOLDS_TEMPLATE);
        put("/_index_template/" + prefix + "-holds", holdsTemplate);
        // the registry of days that hold reads: how a daily index deleted by mistake is told from a day without reads
        put("/_index_template/" + prefix + "-days", resources.load(TemplateResources.DAYS_TEMPLATE));
        applied.add("index templates " + prefix + "-reads, " + prefix + "-audit, " + prefix + "-holds, " + prefix + "-days");
        if (updateMappings(prefix + "-audit*", auditTemplate)) applied.add("mappings of the existing " + prefix + "-audit index");
        // the holds indices are never rolled over either: a hold's definition gains the release claim (hold.release_claim)
        if (updateMappings(prefix + "-holds*", holdsTemplate)) applied.add("mappings of the existing " + prefix + "-holds indices");
        RetentionMechanism mechanism = ilm ? RetentionMechanism.ILM : RetentionMechanism.SWEEPER;
        LOG.info("templates installed on Elasticsearch {} (prefix {}); retention by {}", version, prefix, mechanism.wireName());
        return new InstallReport(version, ilm, mechanism, applied);
    }

    /** True when every index template this version installs is present (used by readiness checks). */
    public boolean installed() {
        String prefix = resources.prefix();
        for (String name : List.of(prefix + "-reads", prefix + "-audit", prefix + "-holds", prefix + "-days")) {
            try {
                Response r = rest.performRequest(new Request("GET", "/_index_template/" + name));
                if (r.getStatusLine().getStatusCode() != 200) return false;
            } catch (ResponseException e) {
                return false;
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** ILM exists on the default distribution and Elastic Cloud; the integ-test distribution has none. */
    public boolean ilmAvailable() {
        try {
            Response r = rest.performRequest(new Request("GET", "/_ilm/status"));
            return r.getStatusLine().getStatusCode() == 200;
        } catch (ResponseException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach Elasticsearch to detect ILM", e);
        }
    }

    private String clusterVersion() {
        try {
            // GET / lives in a module the integ-test distribution lacks; the nodes API is always there
            Response r = rest.performRequest(new Request("GET", "/_nodes/_local?filter_path=nodes.*.version"));
            JsonNode nodes = MAPPER.readTree(r.getEntity().getContent()).path("nodes");
            return nodes.elements().hasNext() ? nodes.elements().next().path("version").asText("unknown") : "unknown";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach Elasticsearch at start-up", e);
        }
    }

    private void put(String path, String json) {
        Request request = new Request("PUT", path);
        request.setEntity(new NStringEntity(json, ContentType.APPLICATION_JSON));
        try {
            rest.performRequest(request);
        } catch (ResponseException e) {
            throw new IllegalStateException("Elasticsearch refused " + path + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install " + path, e);
        }
    }

    /**
     * Puts a template's mappings on the indices it already matches: a template applies only to
     * indices created after it, and the audit and holds indices are never deleted or rolled over, so a node
     * upgraded to a version whose records carry a new field ({@code request_count}) keeps the old
     * index, whose strict mapping would refuse them. Adding fields is all Elasticsearch allows here,
     * which is all a later version may do to the audit mapping; fields already there with the same
     * definition are left as they are. Returns whether any index matched.
     */
    private boolean updateMappings(String indexPattern, String templateJson) {
        try {
            JsonNode mappings = MAPPER.readTree(templateJson).path("template").path("mappings");
            Request get = new Request("GET", "/" + indexPattern + "/_mapping");
            get.addParameter("allow_no_indices", "true");
            get.addParameter("ignore_unavailable", "true");
            if (MAPPER.readTree(rest.performRequest(get).getEntity().getContent()).isEmpty()) return false;
            Request request = new Request("PUT", "/" + indexPattern + "/_mapping");
            request.setEntity(new NStringEntity(MAPPER.writeValueAsString(mappings), ContentType.APPLICATION_JSON));
            rest.performRequest(request);
            LOG.info("mappings of the existing indices {} brought in line with their template", indexPattern);
            return true;
        } catch (ResponseException e) {
            throw new IllegalStateException("Elasticsearch refused the mappings of " + indexPattern + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the mappings of " + indexPattern, e);
        }
    }

    private static String withComponent(String templateJson, String component) {
        try {
            ObjectNode template = (ObjectNode) MAPPER.readTree(templateJson);
            ((ArrayNode) template.withArray("composed_of")).add(component);
            return MAPPER.writeValueAsString(template);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
