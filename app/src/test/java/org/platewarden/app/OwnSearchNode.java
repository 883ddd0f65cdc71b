package org.platewarden.app;

import java.nio.file.Path;
import java.util.EnumSet;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * A search node of a test's own on the shared Elasticsearch, under an index prefix of its own; closing
 * it stops the node (unless the test stopped it) and deletes the prefix's indices.
 */
final class OwnSearchNode implements AutoCloseable {
    final String prefix;
    private PlatewardenNode node;

    /** {@code searchJson}: the "search" section's fields besides host and port, e.g. TLS paths; may be empty. */
    OwnSearchNode(String nodeId, Path dataDir, String topLevelJson, String searchJson) throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix(nodeId);
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("""
                {"node_id":"%s","data_dir":"%s","index_prefix":"%s"%s,
                 "search":{"host":"127.0.0.1","port":0%s}}""".formatted(nodeId, dataDir.toString().replace("\\", "/"), prefix,
                topLevelJson.isEmpty() ? "" : "," + topLevelJson, searchJson.isEmpty() ? "" : "," + searchJson));
        node = new PlatewardenNode(config, EnumSet.of(Role.SEARCH)).start(ElasticsearchFixture.url(), 0);
    }

    PlatewardenNode node() {
        return node;
    }

    /** Hands the node to a test that stops it itself. */
    PlatewardenNode release() {
        PlatewardenNode n = node;
        node = null;
        return n;
    }

    @Override
    public void close() {
        if (node != null) node.close();
        ElasticsearchFixture.deletePrefix(prefix);
    }
}
