package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.platewarden.core.io.AtomicFile;
import org.platewarden.core.io.PrivateDirectory;

/**
 * The search node's record budgets' tallies not yet written, on disk
 * ({@code <data_dir>/audit/budgets-<node_id>.json}), so that a crash does not lose the counts of
 * requests whose answers named a summary record still to come. Replaced whole ({@link AtomicFile},
 * fsynced), so a crash leaves the previous save or the new one, never half of one. Holds audit ids,
 * client addresses or callers, windows and counts: no plate. Version 1:
 * {@code {"version":1,"node_id":…,"saved_at":…,"budgets":{"anonymous":[tally…],"refused":[tally…]}}},
 * each tally as {@link SavedTallies} writes it.
 *
 * <p>Its size follows the budgets' bounds on tallies ({@link RecordBudget}): at most {@code 5·maxKeys}
 * tallies per budget plus three per overflow key, whatever the failures — with the default 10 000
 * addresses and 10 000 callers, 100 000 tallies of roughly 0.3 KB (an address) to 1.3 KB (a caller
 * whose user is the 1 024 characters a record keeps): about 80 MB at the very worst, only while the
 * trail refuses summary writes during a flood from 10 000 addresses and 10 000 callers. A flood with
 * the trail working keeps at most two windows' tallies ({@code 2·maxKeys}), and a quiet node none (the
 * file is then an empty list).
 */
public final class TallyFile {
    static final int VERSION = 1;

    private TallyFile() {
    }

    /** {@code <data_dir>/audit/budgets-<node_id>.json}, beside the node's journal. */
    public static Path pathFor(Path dataDir, String nodeId) {
        return dataDir.resolve("audit").resolve("budgets-" + nodeId.replaceAll("[^A-Za-z0-9._-]", "_") + ".json");
    }

    /** Replaces the file with every budget's {@link BudgetTallies#save} (taken now, in the calling thread). Blocking. */
    public static void write(Path file, String nodeId, List<BudgetTallies<?>> budgets) throws IOException {
        ObjectNode doc = CanonicalJson.MAPPER.createObjectNode();
        doc.put("version", VERSION);
        doc.put("node_id", nodeId);
        doc.put("saved_at", Instant.now().toString());
        ObjectNode saved = doc.putObject("budgets");
        for (BudgetTallies<?> b : budgets) saved.set(b.name(), b.save());
        PrivateDirectory.create(file.getParent());
        AtomicFile.replace(file, ByteBuffer.wrap(CanonicalJson.MAPPER.writeValueAsBytes(doc)));
    }

    /**
     * The tallies saved in {@code file}, one {@link BudgetTallies.Saved} per budget that has any;
     * none when there is no file. An IOException when it cannot be read or is not whole: not JSON,
     * another version, a budget this node does not have, a tally that does not add up. Blocking.
     */
    public static List<BudgetTallies.Saved<?>> read(Path file, List<BudgetTallies<?>> budgets) throws IOException {
        JsonNode doc;
        try {
            doc = CanonicalJson.MAPPER.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return List.of();
        }
        if (doc == null || !doc.isObject()) throw new IOException("not a JSON object");
        if (doc.path("version").asInt() != VERSION) throw new IOException("version " + doc.path("version") + ", not " + VERSION);
        JsonNode saved = doc.path("budgets");
        if (!saved.isObject()) throw new IOException("no budgets");
        List<BudgetTallies.Saved<?>> out = new ArrayList<>();
        for (Iterator<String> names = saved.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            BudgetTallies<?> budget = budgets.stream().filter(b -> b.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IOException("tallies of a budget this node does not have: " + name));
            try {
                BudgetTallies.Saved<?> read = budget.read(saved.get(name));
                if (!read.tallies().isEmpty()) out.add(read);
            } catch (IOException e) {
                throw new IOException(name + " budget: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Moves an unreadable file aside to {@code <file>.corrupt-<millis>}, never deletes it: it is audit
     * material (the counts behind ids that answers named), for someone to look at. Returns where it is.
     */
    public static Path setAside(Path file, long millis) throws IOException {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + millis);
        Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        return aside;
    }
}
