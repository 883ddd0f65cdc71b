package org.platewarden.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./platewarden} command line. */
@Command(name = "platewarden", mixinStandardHelpOptions = true, version = "Platewarden 0.1.0",
        description = "Accountable licence-plate-reader data platform.",
        subcommands = {RunCommand.class, OpsCommand.class, AuditCommand.class, TokenCommand.class, HashSecretCommand.class})
public final class PlatewardenMain implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** The command line as main runs it: every command's failure is reported by {@link CliErrors}. */
    static CommandLine commandLine() {
        CliErrors errors = new CliErrors();
        return new CommandLine(new PlatewardenMain())
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors);
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        // "run" keeps the JVM alive itself; every other command ends here
        if (code != 0 || args.length == 0 || !args[0].equals("run")) System.exit(code);
    }
}
