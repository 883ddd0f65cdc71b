package org.platewarden.search.audit;

import io.vertx.core.Vertx;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * For each test: a Vert.x, a REST client on the shared Elasticsearch node and the templates under
 * a fresh prefix, whose audit index is {@link #index}; all removed after the test (after the
 * test's own {@code @AfterEach}, which closes the logs).
 */
final class AuditIndexExtension implements BeforeEachCallback, AfterEachCallback {
    private final String name;
    private Vertx vertx;
    private RestClient rest;
    private String prefix;

    AuditIndexExtension(String name) {
        this.name = name;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        vertx = Vertx.vertx();
        rest = AuditEsSupport.restClient();
        prefix = ElasticsearchFixture.uniquePrefix(name);
        AuditEsSupport.installTemplates(rest, prefix);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        ElasticsearchFixture.deletePrefix(prefix);
        rest.close();
        AuditEsSupport.await(vertx.close());
    }

    Vertx vertx() {
        return vertx;
    }

    RestClient rest() {
        return rest;
    }

    String index() {
        return prefix + "-audit";
    }
}
