package io.countersign.server.audit.verify;

import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What a verifier remembers about one log between runs: the key it trusts and the last
 * checkpoint it verified, so that the next run can check the log only grew (no rewrite, no
 * rollback). One small text file per origin:
 * <pre>
 * countersign-audit-verifier v1
 * key &lt;verifier key&gt;
 * &lt;the signed checkpoint note&gt;
 * </pre>
 * By default {@code ~/.countersign/verified/<origin, URL-encoded>}.
 */
public final class VerifierState {
    static final String HEADER = "countersign-audit-verifier v1";
    private static final String KEY = "key ";

    private final Path file;

    private VerifierState(Path file) {
        this.file = file;
    }

    /** The state in {@code file}, whatever the origin. */
    public static VerifierState at(Path file) {
        return new VerifierState(file);
    }

    /** The default file for {@code origin} under {@code ~/.countersign/verified}. */
    public static VerifierState forOrigin(String origin) {
        return new VerifierState(
                Path.of(System.getProperty("user.home"), ".countersign", "verified", fileName(origin)));
    }

    /** The origin, URL-encoded so it is one safe file name ('/' and all); a leading dot is encoded too. */
    static String fileName(String origin) {
        String encoded = URLEncoder.encode(origin, StandardCharsets.UTF_8);
        return encoded.startsWith(".") ? "%2E" + encoded.substring(1) : encoded;
    }

    public Path file() {
        return file;
    }

    /** What was remembered: the key and the last verified checkpoint. */
    public record Remembered(NoteVerifier key, SignedCheckpoint note) {
        public Checkpoint checkpoint() {
            return note.checkpoint();
        }
    }

    /**
     * @throws IllegalStateException when the file exists but is not a state file (it is never
     *     silently replaced: it is what protects against a rollback)
     */
    public Optional<Remembered> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("can't read the verifier state " + file + ": " + e.getMessage(), e);
        }
        int first = text.indexOf('\n');
        int second = first < 0 ? -1 : text.indexOf('\n', first + 1);
        if (second < 0 || !text.substring(0, first).equals(HEADER) || !text.startsWith(KEY, first + 1)) {
            throw new IllegalStateException(
                    "the verifier state " + file + " is not a '" + HEADER + "' file; move it away to start over");
        }
        try {
            NoteVerifier key = NoteVerifier.parse(text.substring(first + 1 + KEY.length(), second));
            SignedCheckpoint note = SignedCheckpoint.parse(text.substring(second + 1));
            note.verify(key); // it was verified before it was saved; this catches a damaged file
            return Optional.of(new Remembered(key, note));
        } catch (TlogException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "the verifier state " + file + " is damaged: " + e.getMessage() + "; move it away to start over",
                    e);
        }
    }

    /** Replaces the state atomically (write a temporary file, then rename). */
    public void save(NoteVerifier key, SignedCheckpoint note) {
        String text = HEADER + "\n" + KEY + key.format() + "\n" + note.format();
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temporary = Files.createTempFile(parent, ".verifier-", ".tmp");
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("can't write the verifier state " + file + ": " + e.getMessage(), e);
        }
    }
}
