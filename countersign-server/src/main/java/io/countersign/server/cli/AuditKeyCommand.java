package io.countersign.server.cli;

import static io.countersign.server.cli.AuditCommand.FAILED;

import io.countersign.server.audit.AuditSigningKey;
import io.countersign.tlog.note.NoteSigner;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code countersign audit key}: the verifier key auditors pass to {@code --key}. */
@Command(
        name = "key",
        description =
                "Print the verifier key of the signing key in a data folder (or a key file): what auditors pass to --key.")
final class AuditKeyCommand implements Callable<Integer> {
    @Mixin
    DataOption data;

    @Option(
            names = "--signing-key",
            paramLabel = "FILE",
            description = "a signing key file elsewhere (audit.signingKeyFile)")
    Path signingKey;

    @Override
    public Integer call() {
        Path file = signingKey != null ? signingKey : data.signingKeyFile();
        Optional<NoteSigner> key = AuditSigningKey.readIfPresent(file);
        if (key.isEmpty()) {
            System.err.println("countersign: no signing key at " + file + "; the gateway creates it on first start");
            return FAILED;
        }
        System.out.println(key.get().verifier());
        return 0;
    }
}
