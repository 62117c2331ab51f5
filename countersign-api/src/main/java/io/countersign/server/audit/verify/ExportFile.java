package io.countersign.server.audit.verify;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.tree.CompactRange;
import io.countersign.tlog.tree.TreeHasher;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;

/**
 * The export file: a log's entries with the signed checkpoint that covers them and the key that
 * signed it, verifiable offline with {@code countersign audit verify --export}, or with any
 * RFC 6962 / C2SP tool once split. UTF-8, each line ending in LF:
 * <pre>
 * countersign-audit-export v1
 * key &lt;note verifier key&gt;
 * checkpoint &lt;L&gt;
 * &lt;L lines: the signed checkpoint note, signature lines included&gt;
 * leaf-hashes &lt;N&gt;
 * &lt;N lines: base64 SHA-256(0x00 || entry i)&gt;
 * entries &lt;N&gt;
 * &lt;N lines: entry i's exact leaf bytes, canonical JSON&gt;
 * end
 * </pre>
 * N is the checkpoint's tree size. The key line is informational: a verifier trusts the key it
 * is given, not the file's. The leaf hashes are redundant (they are recomputed); they let a
 * verifier name the first changed entry once the entries' root does not match.
 */
public final class ExportFile {
    static final String HEADER = "countersign-audit-export v1";
    static final String KEY = "key ";
    static final String CHECKPOINT = "checkpoint ";
    static final String LEAF_HASHES = "leaf-hashes ";
    static final String ENTRIES = "entries ";
    static final String END = "end";

    private ExportFile() {}

    /** What an export wrote. {@code matches} is false when the entries do not hash to the checkpoint's root. */
    public record Written(Checkpoint checkpoint, long entries, boolean matches) {}

    /**
     * Writes the entries {@code source}'s newest checkpoint covers, that checkpoint and
     * {@code key} to {@code out}, atomically (a temporary file renamed at the end).
     *
     * @throws SourceException when the source lacks entries the checkpoint covers, or its
     *     checkpoint is not signed by {@code key}
     */
    public static Written write(AuditSource source, NoteVerifier key, Path out) throws IOException, SourceException {
        String note = source.checkpoint();
        Checkpoint checkpoint;
        try {
            checkpoint = SignedCheckpoint.parse(note).verify(key);
        } catch (TlogException | IllegalArgumentException e) {
            throw new SourceException(
                    "the " + source.describe() + "'s checkpoint is not signed by " + key + ": " + e.getMessage(), e);
        }
        long size = checkpoint.size();
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path entries = Files.createTempFile(parent, ".export-entries-", ".tmp");
        Path whole = Files.createTempFile(parent, ".export-", ".tmp");
        try {
            ByteArrayOutputStream hashes = new ByteArrayOutputStream();
            long[] count = {0};
            CompactRange range = CompactRange.empty();
            TreeHasher hasher = TreeHasher.create();
            try (OutputStream entryOut = new BufferedOutputStream(Files.newOutputStream(entries), 1 << 20)) {
                source.entries(size, (position, storedSeq, leaf, listed) -> {
                    if (position >= size) {
                        return false;
                    }
                    byte[] hash = hasher.hashLeaf(leaf);
                    range.append(hash);
                    hashes.write(hash, 0, hash.length);
                    entryOut.write(leaf);
                    entryOut.write('\n');
                    count[0]++;
                    return true;
                });
            }
            if (count[0] < size) {
                throw new SourceException("the " + source.describe() + " has " + count[0] + " of the " + size
                        + " entries its checkpoint covers; run 'countersign audit verify' on it");
            }
            byte[] allHashes = hashes.toByteArray();
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(whole), 1 << 20)) {
                line(file, HEADER);
                line(file, KEY + key.format());
                String[] noteLines = note.split("\n", -1);
                line(file, CHECKPOINT + (noteLines.length - 1)); // the note ends with a newline
                file.write(note.getBytes(UTF_8));
                line(file, LEAF_HASHES + size);
                Base64.Encoder base64 = Base64.getEncoder();
                for (int i = 0; i < allHashes.length; i += TreeHasher.HASH_SIZE) {
                    file.write(base64.encode(java.util.Arrays.copyOfRange(allHashes, i, i + TreeHasher.HASH_SIZE)));
                    file.write('\n');
                }
                line(file, ENTRIES + size);
                Files.copy(entries, file);
                line(file, END);
            }
            try {
                Files.move(whole, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(whole, out, StandardCopyOption.REPLACE_EXISTING);
            }
            return new Written(
                    checkpoint, size, java.security.MessageDigest.isEqual(range.root(), checkpoint.rootHash()));
        } finally {
            Files.deleteIfExists(entries);
            Files.deleteIfExists(whole);
        }
    }

    /** Opens an export for verification; reads its head (key, checkpoint, hash list) at once. */
    public static ExportSource open(Path file) throws IOException, SourceException {
        InputStream in = Files.newInputStream(file);
        try {
            return ExportSource.read(file, new LineReader(in));
        } catch (IOException | SourceException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static void line(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(UTF_8));
        out.write('\n');
    }
}
