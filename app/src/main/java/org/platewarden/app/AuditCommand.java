package org.platewarden.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ./platewarden audit verify}: recomputes every audit chain and names the first broken record. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Audit trail tools.",
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Recompute the hash chain(s) in the audit index and compare this node's local journal with it.",
                    "Exit 0 when intact, 3 when broken, 2 when the data dir has no journal of the config's node_id (wrong --config or --data-dir?)."})
    static final class Verify implements Callable<Integer> {
        @Mixin
        ConfigOptions configOptions = new ConfigOptions();

        @Option(names = "--journal", paramLabel = "FILE",
                description = "Check this journal file on its own, offline (no Elasticsearch, no config): a backup or a copy. Same JSON and exit codes.")
        Path journalFile;

        @Option(names = "--index-only", description = "Check the audit index alone (on a machine without the node's data dir).")
        boolean indexOnly;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (journalFile != null && (indexOnly || configOptions.file != null || configOptions.dataDir != null || configOptions.demo)) {
                throw new ParameterException(spec.commandLine(), "--journal checks the file alone: it takes no --index-only, --config, --data-dir or --demo");
            }
            if (journalFile != null) {
                if (!Files.isRegularFile(journalFile)) throw new ParameterException(spec.commandLine(), "no such journal file: " + journalFile);
                VerifyResult result = AuditVerifier.verifyJournal(journalFile);
                ObjectNode json = result.toJson();
                json.put("journal_file", journalFile.toAbsolutePath().normalize().toString());
                spec.commandLine().getOut().println(json.toPrettyString());
                return result.ok() ? 0 : 3;
            }
            PlatewardenConfig config = configOptions.load();
            Path journal = indexOnly ? null : AuditJournal.pathFor(config.dataPath(), config.nodeId());
            try (ElasticsearchConnection es = ClusterAccess.connect(config)) {
                VerifyResult result = new AuditVerifier(es.rest(), config.auditIndex(), journal, config.nodeId(), 1000, config.expectedAuditNodes()).verify();
                spec.commandLine().getOut().println(result.toJson().toPrettyString());
                if (result.ok()) return 0;
                if (!result.onlyJournalAbsent()) return 3;
                // nothing broken was found, but the journal this config points at is not there
                spec.commandLine().getErr().println("ERROR: no audit journal of node " + config.nodeId() + " at "
                        + journal.toAbsolutePath().normalize() + " (the index was checked): check --config and --data-dir,"
                        + " or use --index-only on a machine without the node's data");
                return spec.exitCodeOnInvalidInput();
            }
        }
    }
}
