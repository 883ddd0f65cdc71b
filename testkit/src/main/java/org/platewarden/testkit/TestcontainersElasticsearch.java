package org.platewarden.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.elasticsearch.ElasticsearchContainer;
import org.testcontainers.utility.DockerImageName;

/** The Testcontainers branch of the fixture: the official 8.19 image, security off, reused for the JVM. */
final class TestcontainersElasticsearch {
    static final String IMAGE = "docker.elastic.co/elasticsearch/elasticsearch:8.19.7";
    private static ElasticsearchContainer container;

    private TestcontainersElasticsearch() {
    }

    static boolean dockerAvailable() {
        if ("false".equalsIgnoreCase(System.getenv("PLATEWARDEN_TESTCONTAINERS"))) return false;
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    static synchronized String start() {
        if (container == null) {
            container = new ElasticsearchContainer(DockerImageName.parse(IMAGE))
                    .withEnv("xpack.security.enabled", "false")
                    .withEnv("ES_JAVA_OPTS", "-Xms768m -Xmx768m");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
        }
        return "http://" + container.getHttpHostAddress();
    }
}
