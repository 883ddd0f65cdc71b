package org.platewarden.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class WritebackFlushTest {
    @Test
    void addsDirtyAndWritebackButNotTheirNeighbours() {
        List<String> meminfo = List.of(
                "MemTotal:       24634788 kB",
                "Dirty:            204800 kB",
                "Writeback:          1024 kB",
                "AnonPages:       1234567 kB",
                "WritebackTmp:        512 kB");
        assertEquals(205_824, WritebackFlush.parse(meminfo));
    }

    @Test
    void unknownWithoutEitherLine() {
        assertEquals(-1, WritebackFlush.parse(List.of("MemTotal:       24634788 kB")));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void readsThisMachinesMeminfoAndSyncs() throws Exception {
        assertTrue(WritebackFlush.dirtyKib() >= 0, "/proc/meminfo has Dirty and Writeback");
        assertTrue(WritebackFlush.flush() >= 0, "flush ran sync and knew how much was dirty");
    }
}
