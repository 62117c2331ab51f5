package io.countersign.server.cli;

import static io.countersign.server.cli.AuditCommand.FAILED;

import io.countersign.server.audit.AuditSigningKey;
import io.countersign.tlog.note.NoteSigner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code countersign audit keygen}: a new signing key file. */
@Command(
        name = "keygen",
        description =
                "Create a new audit signing key file (mode 0600) for audit.signingKeyFile; prints its verifier key.")
final class AuditKeygenCommand implements Callable<Integer> {
    @Option(
            names = "--origin",
            required = true,
            description = "the log's origin, also the key's name, e.g. countersign.example.com/audit")
    String origin;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "the key file to create; never overwritten")
    Path out;

    @Override
    public Integer call() {
        NoteSigner key = NoteSigner.generate(origin);
        if (!AuditSigningKey.write(out, key)) {
            System.err.println("countersign: " + out + " exists; not overwritten");
            return FAILED;
        }
        PrintStream stdout = System.out;
        stdout.println("Created " + out + ". Its verifier key:");
        stdout.println(key.verifier());
        return 0;
    }
}
