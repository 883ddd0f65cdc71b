package org.platewarden.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.search.audit.AuditJournal;
import org.platewarden.search.audit.AuditVerifier;
import org.platewarden.search.audit.VerifyResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ./platewarden audit verify}: recomputes every audit chain and names the first broken record. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Audit trail tools.",
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Recompute the hash chain(s) in the audit index (and this node's local journal). Exit 0 when intact, 3 when broken.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        ConfigOptions configOptions = new ConfigOptions();

        @Override
        public Integer call() throws Exception {
            PlatewardenConfig config = configOptions.load();
            Path journal = AuditJournal.pathFor(config.dataPath(), config.nodeId());
            try (ElasticsearchConnection es = ClusterAccess.connect(config)) {
                VerifyResult result = new AuditVerifier(es.rest(), config.auditIndex(),
                        Files.exists(journal) ? journal : null, config.nodeId(), 1000).verify();
                System.out.println(result.toJson().toPrettyString());
                return result.ok() ? 0 : 3;
            }
        }
    }
}
