package org.platewarden.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Heap figures from a real gateway scrape (-Xmx256m, G1): used = all heap pools, limit = the pools that have one. */
class MemorySamplerTest {
    private static final String SCRAPE = """
            # HELP jvm_memory_max_bytes The maximum amount of memory in bytes that can be used for memory management
            jvm_memory_max_bytes{area="heap",id="G1 Eden Space"} -1.0
            jvm_memory_max_bytes{area="heap",id="G1 Old Gen"} 2.68435456E8
            jvm_memory_max_bytes{area="heap",id="G1 Survivor Space"} -1.0
            jvm_memory_max_bytes{area="nonheap",id="Compressed Class Space"} 1.073741824E9
            jvm_memory_max_bytes{area="nonheap",id="Metaspace"} -1.0
            jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 2.4117248E7
            jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 6190080.0
            jvm_memory_used_bytes{area="heap",id="G1 Survivor Space"} 6926928.0
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 2.827228E7
            """;

    @Test
    void heapUsedIsEveryHeapPoolAndTheLimitIsXmx() {
        assertEquals(24_117_248L + 6_190_080L + 6_926_928L, MemorySampler.heapMetric(SCRAPE, "jvm_memory_used_bytes{"));
        assertEquals(256L * 1024 * 1024, MemorySampler.heapMetric(SCRAPE, "jvm_memory_max_bytes{"));
    }

    @Test
    void noHeapLinesIsZero() {
        assertEquals(0, MemorySampler.heapMetric("jvm_threads_live_threads 12.0\n", "jvm_memory_used_bytes{"));
    }
}
