package io.countersign.tlog.checkpoint;

import io.countersign.tlog.internal.Encoding;
import io.countersign.tlog.internal.NoteNames;
import io.countersign.tlog.tree.TreeHasher;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A log's tree head as C2SP checkpoint note text:
 * <pre>
 * &lt;origin&gt;
 * &lt;tree size, decimal&gt;
 * &lt;root hash, base64&gt;
 * [extension lines]
 * </pre>
 * each line ending in a newline. Parsing is strict: one spelling per checkpoint, so that what
 * a log signed and what a client reads cannot differ.
 */
public record Checkpoint(String origin, long size, byte[] rootHash, List<String> extensions) {
    public Checkpoint {
        Objects.requireNonNull(origin, "origin is null");
        Objects.requireNonNull(rootHash, "rootHash is null");
        extensions = List.copyOf(extensions);
        if (!isValidLine(origin)) {
            throw new IllegalArgumentException("origin must be a non-empty line without control characters");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " is negative");
        }
        if (rootHash.length != TreeHasher.HASH_SIZE) {
            throw new IllegalArgumentException(
                    "root hash has " + rootHash.length + " bytes, want " + TreeHasher.HASH_SIZE);
        }
        for (String extension : extensions) {
            if (!isValidLine(extension)) {
                throw new IllegalArgumentException(
                        "extension lines must be non-empty lines without control characters");
            }
        }
        rootHash = rootHash.clone();
    }

    public Checkpoint(String origin, long size, byte[] rootHash) {
        this(origin, size, rootHash, List.of());
    }

    /**
     * Parses checkpoint note text.
     *
     * @throws MalformedCheckpointException naming the first offending line
     */
    public static Checkpoint parse(String text) throws MalformedCheckpointException {
        if (!text.endsWith("\n")) {
            throw new MalformedCheckpointException("checkpoint must end with a newline");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 3) {
            throw new MalformedCheckpointException(
                    "checkpoint has " + lines.length + (lines.length == 1 ? " line" : " lines") + ", want at least 3");
        }
        for (int i = 0; i < lines.length; i++) {
            if (!isValidLine(lines[i])) {
                throw new MalformedCheckpointException(
                        "checkpoint line " + (i + 1) + " is empty or has control characters");
            }
        }
        long size = Encoding.parseDecimalOrMinusOne(lines[1]);
        if (size < 0) {
            throw new MalformedCheckpointException(
                    "checkpoint tree size '" + lines[1] + "' is not a decimal without leading zeros");
        }
        byte[] root = Encoding.decodeBase64OrNull(lines[2]);
        if (root == null || root.length != TreeHasher.HASH_SIZE) {
            throw new MalformedCheckpointException(
                    "checkpoint root hash '" + lines[2] + "' is not base64 of " + TreeHasher.HASH_SIZE + " bytes");
        }
        return new Checkpoint(lines[0], size, root, Arrays.asList(lines).subList(3, lines.length));
    }

    /** The checkpoint note text. */
    public String format() {
        StringBuilder out = new StringBuilder();
        out.append(origin)
                .append('\n')
                .append(size)
                .append('\n')
                .append(Encoding.base64(rootHash))
                .append('\n');
        for (String extension : extensions) {
            out.append(extension).append('\n');
        }
        return out.toString();
    }

    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    private static boolean isValidLine(String line) {
        return !line.isEmpty() && line.indexOf('\n') < 0 && NoteNames.firstInvalidNoteChar(line) < 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint other
                && origin.equals(other.origin)
                && size == other.size
                && Arrays.equals(rootHash, other.rootHash)
                && extensions.equals(other.extensions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, size, Arrays.hashCode(rootHash), extensions);
    }

    @Override
    public String toString() {
        return "Checkpoint[" + origin + ", size " + size + ", root " + Encoding.base64(rootHash) + "]";
    }
}
