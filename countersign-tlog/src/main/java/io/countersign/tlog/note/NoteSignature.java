package io.countersign.tlog.note;

import io.countersign.tlog.internal.Encoding;
import io.countersign.tlog.internal.NoteNames;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One signature line of a note, {@code — <keyName> base64(keyId || signature)}, verified or
 * not. {@code keyId} is the 32-bit big-endian key id; {@code signature} the bytes after it.
 */
public record NoteSignature(String keyName, int keyId, byte[] signature) {
    /** U+2014 EM DASH and a space: how every signature line starts. */
    static final String LINE_PREFIX = "\u2014 ";

    public NoteSignature {
        if (!NoteNames.isValidName(keyName)) {
            throw new IllegalArgumentException(
                    "invalid key name '" + keyName + "': must be non-empty, without spaces or '+'");
        }
        Objects.requireNonNull(signature, "signature is null");
        if (signature.length == 0) {
            throw new IllegalArgumentException("signature is empty");
        }
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** The signature line without its newline. */
    public String line() {
        byte[] blob = ByteBuffer.allocate(4 + signature.length)
                .putInt(keyId)
                .put(signature)
                .array();
        return LINE_PREFIX + keyName + " " + Encoding.base64(blob);
    }

    /** Parses a signature line (without its newline), or returns null if it is malformed. */
    static @Nullable NoteSignature parseLineOrNull(String line) {
        if (!line.startsWith(LINE_PREFIX)) {
            return null;
        }
        String rest = line.substring(LINE_PREFIX.length());
        int space = rest.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String name = rest.substring(0, space);
        byte[] blob = Encoding.decodeBase64OrNull(rest.substring(space + 1));
        // Four bytes of key id and at least one of signature.
        if (!NoteNames.isValidName(name) || blob == null || blob.length < 5) {
            return null;
        }
        return new NoteSignature(name, ByteBuffer.wrap(blob).getInt(), Arrays.copyOfRange(blob, 4, blob.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteSignature other
                && keyName.equals(other.keyName)
                && keyId == other.keyId
                && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyName, keyId, Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return line();
    }
}
