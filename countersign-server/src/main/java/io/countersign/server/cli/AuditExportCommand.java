package io.countersign.server.cli;

import static io.countersign.server.cli.AuditCommand.FAILED;
import static io.countersign.server.cli.AuditCommand.TOKEN_HELP;
import static io.countersign.server.cli.AuditCommand.offered;
import static io.countersign.server.cli.AuditCommand.parseKey;
import static io.countersign.server.cli.AuditCommand.token;

import io.countersign.server.audit.verify.AuditSource;
import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.server.audit.verify.ExportFile;
import io.countersign.tlog.note.NoteVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code countersign audit export}: a log export that verifies offline. */
@Command(
        name = "export",
        description =
                "Write the entries of the newest checkpoint, the checkpoint and the key into one file that verifies offline.")
final class AuditExportCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    AuditCommand.Live from;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the export file to write")
    Path out;

    @Option(
            names = "--key",
            paramLabel = "KEY",
            description =
                    "the verifier key to record and check the checkpoint with (default: the one the source offers)")
    String key;

    @Option(names = "--token", paramLabel = "TOKEN", description = TOKEN_HELP)
    String token;

    @Override
    public Integer call() throws IOException {
        try (AuditSource source = from.open(token(token))) {
            NoteVerifier verifier = parseKey(key)
                    .or(() -> offered(source))
                    .orElseThrow(() -> new IllegalArgumentException(
                            "the " + source.describe() + " offers no verifier key; pass --key"));
            ExportFile.Written written = ExportFile.write(source, verifier, out);
            System.out.println("exported " + written.entries() + " entries of log '"
                    + written.checkpoint().origin() + "' (checkpoint size "
                    + written.checkpoint().size() + ") to " + out);
            if (!written.matches()) {
                System.err.println(
                        "warning: the entries do not hash to the checkpoint's root; 'countersign audit verify' will name the first bad entry");
                return FAILED;
            }
            return 0;
        } catch (SourceException e) {
            System.err.println("countersign: " + e.getMessage());
            return FAILED;
        }
    }
}
