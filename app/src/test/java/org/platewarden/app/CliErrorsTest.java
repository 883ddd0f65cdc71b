package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.ConfigException;

class CliErrorsTest {
    @Test
    void aBadArgumentNamesTheHelpToRead() {
        for (String[] c : new String[][] {{"nosuch"}, {"ops", "indices", "--nosuch"}}) {
            java.io.StringWriter err = new java.io.StringWriter();
            int code = PlatewardenMain.commandLine().setErr(new java.io.PrintWriter(err, true)).execute(c);
            assertEquals(2, code, err.toString());
            String first = err.toString().lines().findFirst().orElse("");
            String expected = c.length == 1 ? "(see ./platewarden --help)" : "(see ./platewarden ops indices --help)";
            org.junit.jupiter.api.Assertions.assertTrue(first.startsWith("ERROR: ") && first.endsWith(expected), first);
        }
    }

    /** `ops` or `audit` alone printed its usage on stdout and exited 0, which a script takes for success. */
    @Test
    void aCommandOfCommandsGivenNoneIsABadArgumentNamingItsCommands() {
        CliCapture cli = new CliCapture();
        assertEquals(2, cli.run("ops"));
        assertEquals("ERROR: ops needs one of its commands: indices, retention-run, compaction-run, config-reload (see ./platewarden ops --help)",
                cli.err.toString().lines().findFirst().orElse(""));
        assertEquals("", cli.out.toString());
        assertEquals(2, cli.run("audit"));
        assertEquals("ERROR: audit needs one of its commands: verify (see ./platewarden audit --help)", cli.err.toString().lines().findFirst().orElse(""));
    }

    @Test
    void aMessageWrittenForPeopleStandsAloneAndWhatLiesUnderItIsNamed() {
        assertEquals("no ES_URL, no es_url in the config", CliErrors.describe(new IOException("no ES_URL, no es_url in the config")));
        assertEquals("invalid configuration:\n  - a", CliErrors.describe(new ConfigException(List.of("a"))));
        assertEquals("cannot reach Elasticsearch to detect ILM (ConnectException: Connection refused)",
                CliErrors.describe(new UncheckedIOException("cannot reach Elasticsearch to detect ILM", new ConnectException("Connection refused"))));
        // wrappers that only carry their cause are skipped
        assertEquals("ConnectException: Connection refused",
                CliErrors.describe(new ExecutionException(new UncheckedIOException(new ConnectException("Connection refused")))));
        assertEquals("NullPointerException", CliErrors.describe(new NullPointerException()));
    }
}
