package io.countersign.tlog.cosignature;

import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.internal.Ed25519;
import io.countersign.tlog.internal.Encoding;
import io.countersign.tlog.internal.NoteNames;
import io.countersign.tlog.note.NoteSignature;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A witness's Ed25519 cosignature key as a C2SP vkey, {@code <name>+<keyid 8 hex>+<base64(0x04 ||
 * public key)>}: the type byte 0x04 says {@code cosignature/v1}, and the key id is
 * {@code SHA-256(name || "\n" || 0x04 || public key)[:4]}. Immutable; public, so it prints itself.
 */
public final class WitnessKey {
    /** The vkey type byte of an Ed25519 {@code cosignature/v1} key. */
    static final byte TYPE_COSIGNATURE_V1 = 0x04;

    /** 8 bytes of timestamp, then the Ed25519 signature. */
    static final int SIGNATURE_BYTES = 8 + Ed25519.SIGNATURE_SIZE;

    private final String name;
    private final int keyId;
    private final byte[] publicKey;
    private final PublicKey key;

    private WitnessKey(String name, byte[] publicKey) {
        if (!NoteNames.isValidName(name)) {
            throw new IllegalArgumentException(
                    "invalid witness name '" + name + "': must be non-empty, without spaces or '+'");
        }
        this.name = name;
        this.publicKey = publicKey.clone();
        this.key = Ed25519.publicKey(publicKey);
        this.keyId = keyId(name, publicKey);
    }

    public static WitnessKey ofEd25519(String name, byte[] publicKey) {
        return new WitnessKey(name, publicKey);
    }

    /**
     * Parses a vkey.
     *
     * @throws IllegalArgumentException naming what is wrong: syntax, type byte, key length, or a
     *     key id that does not match the name and key
     */
    public static WitnessKey parse(String vkey) {
        String[] parts = vkey.strip().split("\\+", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException(
                    "witness key must be <name>+<keyid hex>+<base64 key>, got '" + vkey + "'");
        }
        String name = parts[0];
        if (!NoteNames.isValidName(name)) {
            throw new IllegalArgumentException("witness key: invalid name '" + name + "'");
        }
        if (parts[1].length() != 8 || !parts[1].chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("witness key '" + name + "': key id is not 8 hex digits");
        }
        int keyId = (int) HexFormat.fromHexDigitsToLong(parts[1]);
        byte[] blob = Encoding.decodeBase64OrNull(parts[2]);
        if (blob == null || blob.length == 0) {
            throw new IllegalArgumentException("witness key '" + name + "': key is not base64");
        }
        if (blob[0] != TYPE_COSIGNATURE_V1) {
            throw new IllegalArgumentException("witness key '" + name + "': type byte is " + blob[0]
                    + ", want 4 (Ed25519 cosignature/v1)" + (blob[0] == 1 ? "; 1 is a log's note key" : ""));
        }
        if (blob.length != 1 + Ed25519.KEY_SIZE) {
            throw new IllegalArgumentException("witness key '" + name + "': Ed25519 key has " + (blob.length - 1)
                    + " bytes, want " + Ed25519.KEY_SIZE);
        }
        WitnessKey parsed = new WitnessKey(name, Arrays.copyOfRange(blob, 1, blob.length));
        if (parsed.keyId != keyId) {
            throw new IllegalArgumentException("witness key '" + name + "': key id " + Encoding.keyIdHex(keyId)
                    + " does not match the key, want " + Encoding.keyIdHex(parsed.keyId));
        }
        return parsed;
    }

    static int keyId(String name, byte[] publicKey) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(name.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) '\n');
            sha256.update(TYPE_COSIGNATURE_V1);
            sha256.update(publicKey);
            return ByteBuffer.wrap(sha256.digest()).getInt();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK must provide SHA-256", e);
        }
    }

    /** Whether a signature line claims to be this key's: the same name and key id. */
    public boolean matches(NoteSignature signature) {
        return signature.keyName().equals(name) && signature.keyId() == keyId;
    }

    /**
     * Checks one signature line that {@link #matches} this key against the checkpoint it sits
     * under. The signed message is {@code "cosignature/v1\ntime <timestamp>\n"} followed by the
     * checkpoint's note text.
     *
     * @throws CosignatureException when the line is not a 72-byte timestamped signature, the
     *     timestamp exceeds 2^63 - 1, or the signature does not verify
     */
    public Cosignature verify(Checkpoint checkpoint, NoteSignature signature) throws CosignatureException {
        if (!matches(signature)) {
            throw new IllegalArgumentException("signature by " + signature.keyName() + " is not from witness " + name);
        }
        byte[] bytes = signature.signature();
        if (bytes.length != SIGNATURE_BYTES) {
            throw new CosignatureException("cosignature of witness " + name + " has " + bytes.length
                    + " bytes after the key id, want " + SIGNATURE_BYTES + " (timestamp and Ed25519 signature)");
        }
        long timestamp = ByteBuffer.wrap(bytes, 0, 8).getLong();
        if (timestamp < 0) {
            throw new CosignatureException("cosignature of witness " + name + " has a timestamp above 2^63 - 1");
        }
        byte[] message =
                ("cosignature/v1\ntime " + timestamp + "\n" + checkpoint.format()).getBytes(StandardCharsets.UTF_8);
        if (!Ed25519.verify(key, message, Arrays.copyOfRange(bytes, 8, bytes.length))) {
            throw new CosignatureException("cosignature of witness " + name + " (key id " + Encoding.keyIdHex(keyId)
                    + ") does not verify for the checkpoint of size " + checkpoint.size());
        }
        return new Cosignature(name, Instant.ofEpochSecond(timestamp), signature);
    }

    /**
     * The cosignature of this witness among {@code signatures}, verified; empty when there is
     * none. Every line that claims to be this key's is checked.
     *
     * @throws CosignatureException when a line that claims to be this key's does not verify
     */
    public Optional<Cosignature> find(Checkpoint checkpoint, List<NoteSignature> signatures)
            throws CosignatureException {
        List<Cosignature> found = new ArrayList<>();
        for (NoteSignature signature : signatures) {
            if (matches(signature)) {
                found.add(verify(checkpoint, signature));
            }
        }
        return found.stream().findFirst();
    }

    public String name() {
        return name;
    }

    public int keyId() {
        return keyId;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The vkey string. */
    public String format() {
        byte[] blob = new byte[1 + publicKey.length];
        blob[0] = TYPE_COSIGNATURE_V1;
        System.arraycopy(publicKey, 0, blob, 1, publicKey.length);
        return name + "+" + Encoding.keyIdHex(keyId) + "+" + Encoding.base64(blob);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WitnessKey other && name.equals(other.name) && Arrays.equals(publicKey, other.publicKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(publicKey));
    }

    @Override
    public String toString() {
        return format();
    }
}
