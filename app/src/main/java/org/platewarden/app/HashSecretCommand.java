package org.platewarden.app;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.platewarden.core.config.SecretHash;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Prints the secret_hash of a camera secret for the config file (PBKDF2-HMAC-SHA256). Without an
 * argument it reads the secret from the terminal without echo, or one secret per line from stdin,
 * so that the secret need not appear in {@code ps} or the shell history.
 */
@Command(name = "hash-secret", mixinStandardHelpOptions = true,
        description = {"Print the secret_hash to put in a camera's config entry.",
                "Without SECRET: asks for it on the terminal (not echoed), or reads one secret per line from stdin "
                        + "(echo \"$SECRET\" | ./platewarden hash-secret), so it stays out of ps and the shell history."})
final class HashSecretCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SECRET", arity = "0..*", description = "camera secret(s); visible to other users in ps while this runs")
    List<String> secrets = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        List<String> given = secrets.isEmpty() ? readSecrets() : secrets;
        if (given.isEmpty()) throw new ParameterException(spec.commandLine(), "no secret given: pass SECRET, or one per line on stdin");
        // an empty secret hashes like any other, and the camera could then log in with an empty password
        if (given.stream().anyMatch(String::isBlank)) throw new ParameterException(spec.commandLine(), "a camera secret may not be empty or blank");
        for (String s : given) spec.commandLine().getOut().println(SecretHash.hash(s));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static List<String> readSecrets() throws IOException {
        Console console = System.console();
        if (console != null) {
            char[] typed = console.readPassword("camera secret: ");
            return typed == null ? List.of() : List.of(new String(typed));
        }
        List<String> lines = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) lines.add(line);
        return lines;
    }
}
