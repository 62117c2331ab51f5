package io.countersign.tlog.note;

import io.countersign.tlog.internal.Ed25519;
import io.countersign.tlog.internal.Encoding;
import io.countersign.tlog.internal.NoteNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An Ed25519 note verifier key, written {@code <name>+<keyid 8 hex>+<base64(0x01 || public key)>}
 * as in Go's sumdb/note, e.g.
 * {@code PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW}.
 * Immutable and thread-safe; public, so it prints itself.
 */
public final class NoteVerifier {
    /** Signature type byte of Ed25519 in signed notes; also prefixes the key in key strings. */
    static final byte ALG_ED25519 = 0x01;

    private final String name;
    private final int keyId;
    private final byte[] publicKey;
    private final PublicKey key;

    private NoteVerifier(String name, byte[] publicKey) {
        if (!NoteNames.isValidName(name)) {
            throw new IllegalArgumentException(
                    "invalid key name '" + name + "': must be non-empty, without spaces or '+'");
        }
        this.name = name;
        this.publicKey = publicKey.clone();
        this.key = Ed25519.publicKey(publicKey);
        this.keyId = keyId(name, publicKey);
    }

    /** A verifier for the 32-byte RFC 8032 Ed25519 public key {@code publicKey}. */
    public static NoteVerifier ofEd25519(String name, byte[] publicKey) {
        return new NoteVerifier(name, publicKey);
    }

    public static NoteVerifier ofEd25519(String name, PublicKey publicKey) {
        return new NoteVerifier(name, Ed25519.rawPublicKey(publicKey));
    }

    /**
     * Parses a verifier key string.
     *
     * @throws IllegalArgumentException naming what is wrong: syntax, algorithm, key length, or
     *     a key id that does not match the name and key
     */
    public static NoteVerifier parse(String verifierKey) {
        String[] parts = verifierKey.split("\\+", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException(
                    "verifier key must be <name>+<keyid hex>+<base64 key>, got '" + verifierKey + "'");
        }
        return fromParts("verifier key", parts[0], parts[1], parts[2]);
    }

    static NoteVerifier fromParts(String what, String name, String idHex, String key64) {
        if (!NoteNames.isValidName(name)) {
            throw new IllegalArgumentException(what + ": invalid key name '" + name + "'");
        }
        int keyId = parseKeyId(what, idHex);
        byte[] key = Encoding.decodeBase64OrNull(key64);
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException(what + " '" + name + "': key is not base64");
        }
        if (key[0] != ALG_ED25519) {
            throw new IllegalArgumentException(
                    what + " '" + name + "': unknown algorithm " + key[0] + ", want 1 (Ed25519)");
        }
        if (key.length != 1 + Ed25519.KEY_SIZE) {
            throw new IllegalArgumentException(
                    what + " '" + name + "': Ed25519 key has " + (key.length - 1) + " bytes, want " + Ed25519.KEY_SIZE);
        }
        NoteVerifier verifier = new NoteVerifier(name, Arrays.copyOfRange(key, 1, key.length));
        if (verifier.keyId != keyId) {
            throw new IllegalArgumentException(what + " '" + name + "': key id " + Encoding.keyIdHex(keyId)
                    + " does not match the key, want " + Encoding.keyIdHex(verifier.keyId));
        }
        return verifier;
    }

    static int parseKeyId(String what, String idHex) {
        // The text is not echoed: in a mangled private key it may be part of the secret.
        if (idHex.length() != 8 || !idHex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException(what + ": key id is not 8 hex digits");
        }
        return (int) HexFormat.fromHexDigitsToLong(idHex);
    }

    /** {@code SHA-256(name || "\n" || 0x01 || publicKey)[:4]}, as c2sp.org/signed-note recommends. */
    static int keyId(String name, byte[] publicKey) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(name.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) '\n');
            sha256.update(ALG_ED25519);
            sha256.update(publicKey);
            return ByteBuffer.wrap(sha256.digest()).getInt();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK must provide SHA-256", e);
        }
    }

    public String name() {
        return name;
    }

    public int keyId() {
        return keyId;
    }

    /** The 32-byte Ed25519 public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Whether {@code signature} (without key id) is this key's signature of {@code text}. */
    public boolean verify(byte[] text, byte[] signature) {
        return Ed25519.verify(key, text, signature);
    }

    /** The verifier key string. */
    public String format() {
        byte[] key = new byte[1 + publicKey.length];
        key[0] = ALG_ED25519;
        System.arraycopy(publicKey, 0, key, 1, publicKey.length);
        return name + "+" + Encoding.keyIdHex(keyId) + "+" + Encoding.base64(key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteVerifier other && name.equals(other.name) && Arrays.equals(publicKey, other.publicKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(publicKey));
    }

    /** The verifier key string; a public key is no secret. */
    @Override
    public String toString() {
        return format();
    }
}
