package org.platewarden.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.search.audit.AuditJournal;
import org.platewarden.search.audit.AuditVerifier;
import org.platewarden.search.audit.ChainHead;
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
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw CliErrors.missingCommand(spec);
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Recompute the hash chain(s) in the audit index and compare this node's local journal with it.",
                    "Prints each chain's head (node, last seq, its hash, as NODE:SEQ:HASH under \"anchor\") when the chains verify: note it"
                            + " (or keep a copy of /v1/transparency's audit_heads) and pass it back with --anchor later.",
                    "Elasticsearch: --es-url, else ES_URL, else the config's es_url, else the embedded one of the node running on this data dir.",
                    "Exit 0 when intact, 3 when broken, 4 when the chains verify but do not hold an --anchor (records removed from their end,"
                            + " or rewritten), 2 when the data dir has no journal of the config's node_id (wrong --config or --data-dir?)."})
    static final class Verify implements Callable<Integer> {
        @Mixin
        ConfigOptions configOptions = new ConfigOptions();

        @Option(names = "--journal", paramLabel = "FILE",
                description = "Check this journal file on its own, offline (no Elasticsearch, no config): a backup or a copy. Same JSON and exit codes.")
        Path journalFile;

        @Option(names = "--index-only", description = "Check the audit index alone (on a machine without the node's data dir:"
                + " give --es-url or ES_URL, as there is no running node to find it through).")
        boolean indexOnly;

        @Option(names = "--es-url", paramLabel = "URL", description = "The Elasticsearch holding the audit index (ahead of ES_URL and the config's es_url).")
        String esUrl;

        @Option(names = "--anchor", paramLabel = "NODE:SEQ:HASH",
                description = {"A chain head noted earlier (from verify's \"heads\" or the transparency report's audit_heads); repeatable.",
                        "Fails (exit 4) unless the chain of NODE still holds SEQ with HASH: the chain alone cannot show its newest records"
                                + " removed from both copies, or every hash computed anew."})
        java.util.List<String> anchors = new java.util.ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (journalFile != null && (indexOnly || esUrl != null || configOptions.file != null || configOptions.dataDir != null || configOptions.demo)) {
                throw new ParameterException(spec.commandLine(), "--journal checks the file alone: it takes no --index-only, --es-url, --config, --data-dir or --demo");
            }
            List<ChainHead.Anchor> anchored = new java.util.ArrayList<>();
            for (String a : anchors) {
                try {
                    anchored.add(ChainHead.Anchor.parse(a));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            if (journalFile != null) {
                if (!Files.isRegularFile(journalFile)) throw new ParameterException(spec.commandLine(), "no such journal file: " + journalFile);
                VerifyResult result = AuditVerifier.verifyJournal(journalFile);
                ObjectNode json = result.toJson();
                json.put("journal_file", journalFile.toAbsolutePath().normalize().toString());
                List<ChainHead.AnchorCheck> checks = AuditVerifier.checkAnchors(journalFile, anchored);
                print(json, checks);
                if (!result.ok()) return broken(result, checks);
                return anchorsMissed(checks) ? 4 : 0;
            }
            PlatewardenConfig config = configOptions.load();
            Path journal = indexOnly ? null : AuditJournal.pathFor(config.dataPath(), config.nodeId());
            try (ElasticsearchConnection es = ClusterAccess.connect(config, esUrl)) {
                if (indexOnly && !indexExists(es, config.auditIndex())) {
                    // nothing to compare with either: a wrong index_prefix or cluster would otherwise pass as an empty, intact trail
                    spec.commandLine().getErr().println("ERROR: no audit index " + config.auditIndex() + " in the cluster: check --config"
                            + " (index_prefix) and --es-url; a deployment whose search API has not written a record yet has no trail to verify");
                    return spec.exitCodeOnInvalidInput();
                }
                AuditVerifier verifier = new AuditVerifier(es.rest(), config.auditIndex(), journal, config.nodeId(), 1000, config.expectedAuditNodes());
                VerifyResult result = verifier.verify();
                List<ChainHead.AnchorCheck> checks = verifier.checkAnchors(anchored);
                print(result.toJson(), checks);
                int exit = verdict(result, checks, config.nodeId(), journal);
                warnNodesWithoutRecords(result); // after the verdict's ERROR lines, which come first on stderr
                return exit;
            }
        }

        /** The exit code of a verify against the index, its reasons on stderr. */
        private int verdict(VerifyResult result, List<ChainHead.AnchorCheck> checks, String nodeId, Path journal) {
            if (result.ok() || result.onlyJournalAbsent()) {
                if (anchorsMissed(checks)) return 4;
            }
            if (result.ok()) return 0;
            if (!result.onlyJournalAbsent()) return broken(result, checks);
            // nothing broken was found, but the journal this config points at is not there
            spec.commandLine().getErr().println("ERROR: no audit journal of node " + nodeId + " at "
                    + journal.toAbsolutePath().normalize() + " (the index was checked): check --config and --data-dir,"
                    + " or use --index-only on a machine without the node's data");
            return spec.exitCodeOnInvalidInput();
        }

        private void print(ObjectNode json, List<ChainHead.AnchorCheck> checks) {
            if (!checks.isEmpty()) {
                com.fasterxml.jackson.databind.node.ArrayNode a = json.putArray("anchors");
                checks.forEach(c -> a.add(c.toJson()));
            }
            spec.commandLine().getOut().println(json.toPrettyString());
        }

        /**
         * A WARN per expected node of which the index holds no record: fine for a node that has not
         * searched yet, the whole chain deleted otherwise, which only the node's journal (checked on
         * that node) or an anchor of it can tell; not an exit code of its own.
         */
        private void warnNodesWithoutRecords(VerifyResult result) {
            for (String node : result.nodesWithoutRecords()) {
                spec.commandLine().getErr().println("WARN: the audit index holds no record of node " + node + " (of audit_nodes, or this node):"
                        + " fine if it has not searched yet; if it has, its whole chain was deleted: run audit verify on that node"
                        + " (its journal), or with --anchor " + node + ":SEQ:HASH from a kept head or transparency report");
            }
        }

        /** A chain does not verify (exit 3): says so on stderr, with its first problem and any anchor not held too. */
        private int broken(VerifyResult result, List<ChainHead.AnchorCheck> checks) {
            VerifyResult.Broken first = result.firstBroken() != null ? result.firstBroken()
                    : result.problems().isEmpty() ? null : result.problems().get(0);
            spec.commandLine().getErr().println("ERROR: the audit trail does not verify: " + result.problems().size() + " problem(s)"
                    + (first == null ? "" : "; the first: " + first.problem() + (first.seq() > 0 ? " at seq " + first.seq() : "")
                    + (first.nodeId() == null ? "" : " of node " + first.nodeId()))
                    + " (all of them in the JSON on stdout)");
            anchorsMissed(checks);
            return 3;
        }

        private static boolean indexExists(ElasticsearchConnection es, String index) throws java.io.IOException {
            org.elasticsearch.client.Response r = es.rest().performRequest(new org.elasticsearch.client.Request("HEAD", "/" + index));
            return r.getStatusLine().getStatusCode() == 200;
        }

        /** Whether an anchor is not held; says which on stderr. */
        private boolean anchorsMissed(List<ChainHead.AnchorCheck> checks) {
            boolean missed = false;
            for (ChainHead.AnchorCheck c : checks) {
                if (c.held()) continue;
                missed = true;
                spec.commandLine().getErr().println("ERROR: anchor " + c.anchor() + " not held: " + c.problem());
            }
            return missed;
        }
    }
}
