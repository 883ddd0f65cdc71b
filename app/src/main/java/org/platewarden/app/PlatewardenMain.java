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

    public static void main(String[] args) {
        int code = new CommandLine(new PlatewardenMain()).execute(args);
        // "run" keeps the JVM alive itself; every other command ends here
        if (code != 0 || args.length == 0 || !args[0].equals("run")) System.exit(code);
    }
}
