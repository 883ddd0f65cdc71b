package org.platewarden.bench;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "report", description = "Prints the Markdown table of a results file.")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "bench/results/<timestamp>.json")
    Path results;

    @Override
    public Integer call() throws Exception {
        System.out.println(ResultsFile.markdown(ResultsFile.read(results)));
        return 0;
    }
}
