package io.countersign.server.cli;

import static io.countersign.server.cli.AuditCommand.FAILED;
import static io.countersign.server.cli.AuditCommand.TOKEN_HELP;
import static io.countersign.server.cli.AuditCommand.token;

import io.countersign.server.audit.verify.AuditSource;
import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.server.audit.verify.DataFolderSource;
import io.countersign.server.audit.verify.ServerSource;
import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.proof.InclusionProof;
import io.countersign.tlog.tlogproof.TlogProof;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code countersign audit prove}: one entry's c2sp.org/tlog-proof. */
@Command(
        name = "prove",
        description =
                "Print a c2sp.org/tlog-proof for one entry: its inclusion proof under the newest signed checkpoint.")
final class AuditProveCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    AuditCommand.Live from;

    @Option(names = "--index", required = true, paramLabel = "N", description = "the entry's seq")
    long index;

    @Option(names = "--out", paramLabel = "FILE", description = "write the proof here instead of to standard output")
    Path out;

    @Option(names = "--token", paramLabel = "TOKEN", description = TOKEN_HELP)
    String token;

    @Override
    public Integer call() throws IOException {
        try (AuditSource source = from.open(token(token))) {
            SignedCheckpoint checkpoint = SignedCheckpoint.parse(source.checkpoint());
            long size = checkpoint.checkpoint().size();
            if (index < 0 || index >= size) {
                System.err.println("countersign: entry " + index + " is not covered by the newest checkpoint (size "
                        + size + "); a gateway signs one within its checkpoint interval");
                return FAILED;
            }
            InclusionProof inclusion = source instanceof DataFolderSource data
                    ? data.inclusion(index, size)
                    : ((ServerSource) source).inclusion(index, size);
            String proof = TlogProof.of(inclusion, checkpoint).format();
            if (out != null) {
                Files.writeString(out, proof, StandardCharsets.UTF_8);
            } else {
                System.out.print(proof);
            }
            return 0;
        } catch (SourceException | TlogException e) {
            System.err.println("countersign: " + e.getMessage());
            return FAILED;
        }
    }
}
