package org.platewarden.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.platewarden.core.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How every CLI command fails: {@code ERROR: <what went wrong>} on stderr and a non-zero exit code
 * (2 for a bad argument or configuration, 1 for anything else), never a stack trace: an operator
 * acts on the message, and the trace of a refused connection or a missing file tells them nothing
 * more. {@code -Dplatewarden.debug=true} (in {@code PLATEWARDEN_JAVA_OPTS}) prints the trace too.
 */
final class CliErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {
    /** Exceptions whose message is written for people; any other is named, e.g. "ConnectException: Connection refused". */
    private static final Set<Class<?>> PLAIN = Set.of(IOException.class, UncheckedIOException.class, IllegalArgumentException.class,
            IllegalStateException.class, RuntimeException.class, ConfigException.class);

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        cmd.getErr().println("ERROR: " + describe(e));
        if (Boolean.getBoolean("platewarden.debug")) e.printStackTrace(cmd.getErr());
        return e instanceof ConfigException ? cmd.getCommandSpec().exitCodeOnInvalidInput() : cmd.getCommandSpec().exitCodeOnExecutionException();
    }

    /** A bad argument, found by picocli or by a command (a {@link ParameterException} thrown from call()). */
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String sub = cmd.getCommandSpec().qualifiedName(" ").replaceFirst("^platewarden ?", "");
        cmd.getErr().println("ERROR: " + e.getMessage() + " (see ./platewarden " + (sub.isEmpty() ? "" : sub + " ") + "--help)");
        UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * A command of commands (`ops`, `audit`) given none: a bad argument (exit 2), naming the ones it
     * has, rather than its usage on stdout with exit 0, which a script would take for success.
     */
    static ParameterException missingCommand(CommandSpec spec) {
        return new ParameterException(spec.commandLine(), spec.qualifiedName(" ").replaceFirst("^platewarden ", "")
                + " needs one of its commands: " + String.join(", ", spec.subcommands().keySet()));
    }

    /** The failure's own message, plus what lies under it when that is another exception (a refused connection). */
    static String describe(Throwable e) {
        Throwable top = e;
        while (top.getCause() != null && (top instanceof ExecutionException || top instanceof CompletionException
                || top.getMessage() == null || top.getMessage().equals(top.getCause().toString()))) {
            top = top.getCause();
        }
        Throwable root = top;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String text = PLAIN.contains(top.getClass()) && top.getMessage() != null ? top.getMessage() : named(top);
        return root == top || text.equals(named(root)) ? text : text + " (" + named(root) + ")";
    }

    private static String named(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
