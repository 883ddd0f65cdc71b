package org.platewarden.search.api;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One {@link ApiStack} per test class (test classes run one after another), started before its first test. */
abstract class ApiStackSupport {
    @TempDir
    static Path dataDir;
    static ApiStack api;

    @BeforeAll
    static void startStack() {
        api = new ApiStack(dataDir);
    }

    @AfterAll
    static void stopStack() {
        api.close();
        api = null;
    }
}
