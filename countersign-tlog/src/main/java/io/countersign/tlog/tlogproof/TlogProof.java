package io.countersign.tlog.tlogproof;

import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.internal.Encoding;
import io.countersign.tlog.proof.InclusionProof;
import io.countersign.tlog.tree.TreeHasher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An offline proof that one entry is in the log (c2sp.org/tlog-proof@v1):
 * <pre>
 * c2sp.org/tlog-proof@v1
 * [extra &lt;base64&gt;]
 * index &lt;decimal&gt;
 * &lt;base64 inclusion proof hash&gt;...
 *
 * &lt;signed checkpoint&gt;
 * </pre>
 * The extra data is not authenticated; nothing here depends on it. Verify with
 * {@link TlogProofVerifier}.
 */
public record TlogProof(long index, List<byte[]> hashes, Optional<byte[]> extra, SignedCheckpoint checkpoint) {
    static final String HEADER = "c2sp.org/tlog-proof@v1";
    private static final String EXTRA = "extra ";
    private static final String INDEX = "index ";

    public TlogProof {
        Objects.requireNonNull(checkpoint, "checkpoint is null");
        if (index < 0) {
            throw new IllegalArgumentException("index " + index + " is negative");
        }
        List<byte[]> copy = new ArrayList<>(hashes.size());
        for (byte[] hash : hashes) {
            if (hash.length != TreeHasher.HASH_SIZE) {
                throw new IllegalArgumentException(
                        "proof hash has " + hash.length + " bytes, want " + TreeHasher.HASH_SIZE);
            }
            copy.add(hash.clone());
        }
        hashes = List.copyOf(copy);
        extra = extra.map(byte[]::clone);
    }

    /** The proof for the entry that {@code inclusion} covers, under the checkpoint of the same tree size. */
    public static TlogProof of(InclusionProof inclusion, SignedCheckpoint checkpoint) {
        if (inclusion.size() != checkpoint.checkpoint().size()) {
            throw new IllegalArgumentException("inclusion proof is for tree size " + inclusion.size()
                    + ", checkpoint for " + checkpoint.checkpoint().size());
        }
        return new TlogProof(inclusion.index(), inclusion.hashes(), Optional.empty(), checkpoint);
    }

    /**
     * Parses a proof; the checkpoint must be a well-formed signed checkpoint, but no signature
     * or hash is checked here.
     */
    public static TlogProof parse(String text) throws MalformedTlogProofException {
        int blank = text.indexOf("\n\n");
        if (blank < 0) {
            throw new MalformedTlogProofException("tlog-proof has no blank line before its checkpoint");
        }
        // The head never contains a blank line, so the first one ends it.
        List<String> lines = Arrays.asList(text.substring(0, blank).split("\n", -1));
        if (!lines.get(0).equals(HEADER)) {
            throw new MalformedTlogProofException("tlog-proof must start with " + HEADER);
        }
        int next = 1;
        Optional<byte[]> extra = Optional.empty();
        if (next < lines.size() && lines.get(next).startsWith(EXTRA)) {
            byte[] data = Encoding.decodeBase64OrNull(lines.get(next).substring(EXTRA.length()));
            if (data == null) {
                throw new MalformedTlogProofException("tlog-proof extra data is not base64");
            }
            extra = Optional.of(data);
            next++;
        }
        if (next >= lines.size() || !lines.get(next).startsWith(INDEX)) {
            throw new MalformedTlogProofException("tlog-proof line " + (next + 1) + " must be 'index <decimal>'");
        }
        long index = Encoding.parseDecimalOrMinusOne(lines.get(next).substring(INDEX.length()));
        if (index < 0) {
            throw new MalformedTlogProofException("tlog-proof index '"
                    + lines.get(next).substring(INDEX.length()) + "' is not a decimal without leading zeros");
        }
        List<byte[]> hashes = new ArrayList<>();
        for (int i = next + 1; i < lines.size(); i++) {
            byte[] hash = Encoding.decodeBase64OrNull(lines.get(i));
            if (hash == null || hash.length != TreeHasher.HASH_SIZE) {
                throw new MalformedTlogProofException("tlog-proof line " + (i + 1) + " is not a base64 SHA-256 hash");
            }
            hashes.add(hash);
        }
        SignedCheckpoint checkpoint;
        try {
            checkpoint = SignedCheckpoint.parse(text.substring(blank + 2));
        } catch (TlogException e) {
            throw new MalformedTlogProofException("tlog-proof checkpoint: " + e.getMessage(), e);
        }
        return new TlogProof(index, hashes, extra, checkpoint);
    }

    /** The proof as text, ready for a {@code .tlog-proof} file. */
    public String format() {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        extra.ifPresent(data -> out.append(EXTRA).append(Encoding.base64(data)).append('\n'));
        out.append(INDEX).append(index).append('\n');
        for (byte[] hash : hashes) {
            out.append(Encoding.base64(hash)).append('\n');
        }
        return out.append('\n').append(checkpoint.format()).toString();
    }

    /** Copies of the inclusion proof hashes. */
    @Override
    public List<byte[]> hashes() {
        return hashes.stream().map(byte[]::clone).toList();
    }

    /** A copy of the unauthenticated extra data, if any. */
    @Override
    public Optional<byte[]> extra() {
        return extra.map(byte[]::clone);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TlogProof other)
                || index != other.index
                || !checkpoint.equals(other.checkpoint)
                || hashes.size() != other.hashes.size()
                || extra.isPresent() != other.extra.isPresent()) {
            return false;
        }
        for (int i = 0; i < hashes.size(); i++) {
            if (!Arrays.equals(hashes.get(i), other.hashes.get(i))) {
                return false;
            }
        }
        return extra.isEmpty() || Arrays.equals(extra.get(), other.extra.get());
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(index) * 31 + checkpoint.hashCode();
        for (byte[] hash : hashes) {
            h = 31 * h + Arrays.hashCode(hash);
        }
        return 31 * h + extra.map(Arrays::hashCode).orElse(0);
    }

    @Override
    public String toString() {
        return "TlogProof[index " + index + ", " + hashes.size() + " hashes, " + checkpoint.checkpoint() + "]";
    }
}
