package io.countersign.tlog.note;

import io.countersign.tlog.internal.Ed25519;
import io.countersign.tlog.internal.Encoding;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.util.Arrays;

/**
 * An Ed25519 note signing key. Its string form, as in Go's sumdb/note, is
 * {@code PRIVATE+KEY+<name>+<keyid 8 hex>+<base64(0x01 || 32-byte seed)>}; the public key is
 * derived from the seed, so that string alone is enough to sign.
 *
 * <p>The secret leaves this object only through {@link #exportPrivateKey()}; {@code toString}
 * prints {@code ***}, and {@code equals} compares in constant time. Thread-safe.
 */
public final class NoteSigner {
    private static final String PRIVATE_KEY_PREFIX = "PRIVATE+KEY+";

    private final byte[] seed;
    private final PrivateKey privateKey;
    private final NoteVerifier verifier;

    private NoteSigner(String name, byte[] seed) {
        KeyPair pair = Ed25519.fromSeed(seed);
        this.seed = seed.clone();
        this.privateKey = pair.getPrivate();
        this.verifier = NoteVerifier.ofEd25519(name, pair.getPublic());
    }

    /** A new random key named {@code name}. */
    public static NoteSigner generate(String name) {
        byte[] seed = Ed25519.newSeed();
        try {
            return new NoteSigner(name, seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** The key with the 32-byte RFC 8032 private key (seed) {@code seed}. */
    public static NoteSigner ofEd25519Seed(String name, byte[] seed) {
        return new NoteSigner(name, seed);
    }

    /**
     * Parses a private key string. The key id must match the public key derived from the
     * seed, which catches a mistyped or truncated key.
     *
     * @throws IllegalArgumentException naming what is wrong, without echoing the secret
     */
    public static NoteSigner parse(String privateKey) {
        if (!privateKey.startsWith(PRIVATE_KEY_PREFIX)) {
            throw new IllegalArgumentException("private key must start with " + PRIVATE_KEY_PREFIX);
        }
        String[] parts = privateKey.substring(PRIVATE_KEY_PREFIX.length()).split("\\+", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("private key must be PRIVATE+KEY+<name>+<keyid hex>+<base64 key>");
        }
        String name = parts[0];
        int keyId = NoteVerifier.parseKeyId("private key", parts[1]);
        byte[] key = Encoding.decodeBase64OrNull(parts[2]);
        try {
            if (key == null || key.length != 1 + Ed25519.KEY_SIZE || key[0] != NoteVerifier.ALG_ED25519) {
                throw new IllegalArgumentException(
                        "private key '" + name + "': want base64 of 0x01 and a 32-byte Ed25519 seed");
            }
            NoteSigner signer = new NoteSigner(name, Arrays.copyOfRange(key, 1, key.length));
            if (signer.keyId() != keyId) {
                throw new IllegalArgumentException("private key '" + name + "': key id " + Encoding.keyIdHex(keyId)
                        + " does not match the key, want " + Encoding.keyIdHex(signer.keyId()));
            }
            return signer;
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    public String name() {
        return verifier.name();
    }

    public int keyId() {
        return verifier.keyId();
    }

    /** The matching public verifier key. */
    public NoteVerifier verifier() {
        return verifier;
    }

    /** Signs a note text (which must end in a newline). */
    public NoteSignature sign(String text) {
        return new NoteSignature(name(), keyId(), Ed25519.sign(privateKey, text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The private key string, for storing the key. This is the secret: whoever has it can
     * sign as this log.
     */
    public String exportPrivateKey() {
        byte[] key = new byte[1 + seed.length];
        key[0] = NoteVerifier.ALG_ED25519;
        System.arraycopy(seed, 0, key, 1, seed.length);
        try {
            return PRIVATE_KEY_PREFIX + name() + "+" + Encoding.keyIdHex(keyId()) + "+" + Encoding.base64(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteSigner other
                && verifier.equals(other.verifier)
                && MessageDigest.isEqual(seed, other.seed);
    }

    @Override
    public int hashCode() {
        return verifier.hashCode(); // from public parts only
    }

    @Override
    public String toString() {
        return "***";
    }
}
