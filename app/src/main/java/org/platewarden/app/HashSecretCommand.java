package org.platewarden.app;

import java.util.List;
import java.util.concurrent.Callable;
import org.platewarden.core.config.SecretHash;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints the secret_hash of a camera secret for the config file (PBKDF2-HMAC-SHA256). */
@Command(name = "hash-secret", description = "Print the secret_hash to put in a camera's config entry.")
final class HashSecretCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SECRET", description = "camera secret(s)")
    List<String> secrets;

    @Override
    public Integer call() {
        for (String s : secrets) System.out.println(SecretHash.hash(s));
        return 0;
    }
}
