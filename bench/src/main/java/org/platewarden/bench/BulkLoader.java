package org.platewarden.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.platewarden.core.read.IndexDocument;
import org.platewarden.core.read.StoredRead;
import org.platewarden.indexer.ElasticsearchBulkTransport;

/**
 * Pre-builds _bulk bodies (create, _id = read_id, daily index by capture day: what the indexer
 * sends) into a spill file, then replays them straight to Elasticsearch with fixed concurrency.
 * Building happens before the clock starts; only sending is timed.
 */
public final class BulkLoader {

    private BulkLoader() {
    }

    /** Writes ceil(count / bulkReads) bodies, each length-prefixed; returns the number of reads written. */
    public static long build(Path spill, String prefix, long count, int bulkReads, int connections, String runId, int spreadDays,
                             int populationSize, long seed) throws IOException {
        StoredDocuments documents = new StoredDocuments(prefix);
        PlatePopulation population = new PlatePopulation(populationSize, seed);
        List<ReadFactory> factories = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            factories.add(new ReadFactory(population, DemoCameras.id(i), runId, i, spreadDays, 0, 0.03, seed * 31 + i));
        }
        long written = 0;
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(spill), 1 << 20))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream(bulkReads * 1200);
            int inBody = 0;
            for (long k = 0; k < count; k++) {
                ReadFactory f = factories.get((int) (k % connections));
                StoredRead stored = documents.store(f.next(), f.cameraId());
                body.write(("{\"create\":{\"_index\":\"" + documents.index(stored) + "\",\"_id\":\"" + stored.readId() + "\"}}\n")
                        .getBytes(StandardCharsets.UTF_8));
                body.write(IndexDocument.withPlateTerms(stored.document())); // what the indexer sends
                body.write('\n');
                written++;
                if (++inBody == bulkReads) {
                    flush(out, body);
                    inBody = 0;
                }
            }
            if (inBody > 0) flush(out, body);
        }
        return written;
    }

    private static void flush(DataOutputStream out, ByteArrayOutputStream body) throws IOException {
        out.writeInt(body.size());
        body.writeTo(out);
        body.reset();
    }

    /** Sends every body in the spill file with {@code concurrency} requests in flight; returns items that failed. */
    public static long send(EsHttp es, Path spill, int concurrency) throws Exception {
        AtomicLong failedItems = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(spill), 1 << 20))) {
            List<Future<?>> inFlight = new ArrayList<>();
            while (true) {
                byte[] body;
                try {
                    body = new byte[in.readInt()];
                } catch (EOFException end) {
                    break;
                }
                in.readFully(body);
                while (inFlight.size() >= concurrency) {
                    inFlight.remove(0).get();
                }
                inFlight.add(pool.submit(() -> {
                    // the answer filtered as the indexer filters it: an unfiltered answer costs Elasticsearch
                    // (and this sender) more per read, and a slower ceiling would flatter the ratio
                    JsonNode r = es.send("POST", "/_bulk?filter_path=" + ElasticsearchBulkTransport.RESPONSE_FILTER, body, "application/x-ndjson");
                    if (r.path("errors").asBoolean()) {
                        for (JsonNode item : r.path("items")) {
                            int status = item.path("create").path("status").asInt();
                            if (status >= 300 && status != 409) failedItems.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : inFlight) f.get();
        } finally {
            pool.shutdown();
        }
        return failedItems.get();
    }
}
