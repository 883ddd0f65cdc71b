package org.platewarden.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the benchmark tool; bench/run.sh drives it. Every subcommand ends by itself. */
@Command(name = "platewarden-bench", mixinStandardHelpOptions = true,
        subcommands = {LoadCommand.class, VerifyEsCommand.class, E2eCommand.class, SearchCommand.class, ReportCommand.class},
        description = "Platewarden load generator and benchmark scenarios (loopback only).")
public final class BenchMain implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }
}
