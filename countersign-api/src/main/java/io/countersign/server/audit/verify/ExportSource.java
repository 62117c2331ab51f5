package io.countersign.server.audit.verify;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.countersign.tlog.proof.ConsistencyProof;
import io.countersign.tlog.proof.ProofBuilder;
import io.countersign.tlog.tree.InMemoryHashStore;
import io.countersign.tlog.tree.TreeHasher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An export file ({@link ExportFile}) as a source: the head is read on opening; entries stream
 * from the file. Any departure from the layout is a {@link SourceException#damaged() damaged}
 * source: the file was changed.
 */
public final class ExportSource implements AuditSource {
    private final Path file;
    private final LineReader lines;
    private final String key;
    private final String checkpoint;
    private final byte[][] listed;
    private @Nullable InMemoryHashStore reference; // the tree of the listed hashes, built on first use
    private boolean streamed;

    private ExportSource(Path file, LineReader lines, String key, String checkpoint, byte[][] listed) {
        this.file = file;
        this.lines = lines;
        this.key = key;
        this.checkpoint = checkpoint;
        this.listed = listed;
    }

    static ExportSource read(Path file, LineReader lines) throws IOException, SourceException {
        String header = text(lines, file);
        if (!ExportFile.HEADER.equals(header)) {
            throw damaged(file, lines, "is not '" + ExportFile.HEADER + "'");
        }
        String key = field(lines, file, ExportFile.KEY);
        long noteLines = number(lines, file, ExportFile.CHECKPOINT);
        if (noteLines < 4 || noteLines > 200) {
            throw damaged(file, lines, "says the checkpoint has " + noteLines + " lines, want 4 to 200");
        }
        StringBuilder note = new StringBuilder();
        for (long i = 0; i < noteLines; i++) {
            note.append(text(lines, file)).append('\n');
        }
        long count = number(lines, file, ExportFile.LEAF_HASHES);
        if (count > Integer.MAX_VALUE - 8) {
            throw damaged(file, lines, "lists " + count + " leaf hashes, more than one export can hold");
        }
        byte[][] listed = new byte[(int) count][];
        Base64.Decoder base64 = Base64.getDecoder();
        for (int i = 0; i < count; i++) {
            byte[] line = lines.next();
            byte[] hash = null;
            try {
                hash = line == null ? null : base64.decode(line);
            } catch (IllegalArgumentException e) {
                // reported below
            }
            if (hash == null
                    || hash.length != TreeHasher.HASH_SIZE
                    || !Arrays.equals(Base64.getEncoder().encode(hash), line)) {
                throw damaged(file, lines, "is not the base64 leaf hash of entry " + i);
            }
            listed[i] = hash;
        }
        long entries = number(lines, file, ExportFile.ENTRIES);
        if (entries != count) {
            throw damaged(file, lines, "says " + entries + " entries, but " + count + " leaf hashes are listed");
        }
        return new ExportSource(file, lines, key, note.toString(), listed);
    }

    @Override
    public String describe() {
        return "export " + file;
    }

    @Override
    public String checkpoint() {
        return checkpoint;
    }

    @Override
    public Optional<String> offeredKey() {
        return Optional.of(key);
    }

    /** Streams the entries (once), then checks the file ends with the 'end' line. */
    @Override
    public void entries(long size, EntrySink sink) throws IOException, SourceException {
        if (streamed) {
            throw new IllegalStateException("an export's entries stream once");
        }
        streamed = true;
        for (int i = 0; i < listed.length; i++) {
            byte[] leaf = lines.next();
            if (leaf == null) {
                return; // the verifier reports entry i missing
            }
            if (!sink.accept(i, -1, leaf, listed[i])) {
                return;
            }
        }
        byte[] end = lines.next();
        if (end == null
                || !ExportFile.END.equals(new String(end, UTF_8))
                || lines.lastLineUnterminated()
                || lines.next() != null) {
            throw damaged(file, lines, "should be the last line, 'end'");
        }
    }

    @Override
    public synchronized Optional<ConsistencyProof> consistency(long from, long to) {
        if (reference == null) {
            reference = new InMemoryHashStore();
            for (byte[] hash : listed) {
                reference.append(hash);
            }
        }
        if (to > reference.size()) {
            return Optional.empty();
        }
        return Optional.of(new ProofBuilder(reference).consistency(from, to));
    }

    @Override
    public void close() {
        try {
            lines.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(LineReader lines, Path file) throws IOException, SourceException {
        byte[] line = lines.next();
        if (line == null) {
            throw new SourceException("export " + file + " ends early, after line " + lines.lineNumber(), true, null);
        }
        return new String(line, UTF_8);
    }

    private static String field(LineReader lines, Path file, String prefix) throws IOException, SourceException {
        String line = text(lines, file);
        if (!line.startsWith(prefix)) {
            throw damaged(file, lines, "should start with '" + prefix.strip() + "'");
        }
        return line.substring(prefix.length());
    }

    private static long number(LineReader lines, Path file, String prefix) throws IOException, SourceException {
        String value = field(lines, file, prefix);
        if (!value.matches("0|[1-9][0-9]{0,17}")) {
            throw damaged(file, lines, "should be '" + prefix + "<number>'");
        }
        return Long.parseLong(value);
    }

    private static SourceException damaged(Path file, LineReader lines, String what) {
        return new SourceException(
                "export " + file + " line " + lines.lineNumber() + " " + what
                        + ": the file was changed or is not an export",
                true,
                null);
    }
}
