package org.platewarden.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** An OutOfMemoryError that reaches a last handler ends the node ({@code run} installs the exit); anything else is not fatal. */
class FatalErrorsTest {
    @Test
    void anOutOfMemoryErrorIsFatalAndAnExceptionIsNot() {
        List<Throwable> ended = new ArrayList<>();
        Consumer<Throwable> before = FatalErrors.onFatal(ended::add);
        try {
            OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
            assertTrue(FatalErrors.report(oom, "a test loop"));
            assertEquals(List.of(oom), ended, "the process would end here");
            InternalError internal = new InternalError("the JVM's");
            assertTrue(FatalErrors.report(internal, "a test loop"), "another VirtualMachineError");
            assertFalse(FatalErrors.report(new StackOverflowError(), "a test loop"), "one input's deep recursion must not restart the node");
            assertFalse(FatalErrors.report(new IllegalStateException("a bug"), "a test loop"));
            assertFalse(FatalErrors.report(new AssertionError("not a VM error"), "a test loop"));
            assertEquals(List.of(oom, internal), ended);
        } finally {
            FatalErrors.onFatal(before);
        }
    }
}
