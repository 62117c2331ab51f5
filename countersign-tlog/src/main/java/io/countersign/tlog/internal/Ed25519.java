package io.countersign.tlog.internal;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/** Ed25519 (RFC 8032) with raw 32-byte keys, on the JDK's own provider. */
public final class Ed25519 {
    public static final int KEY_SIZE = 32;
    public static final int SIGNATURE_SIZE = 64;

    // DER of SubjectPublicKeyInfo{AlgorithmIdentifier{1.3.101.112 (Ed25519)}, BIT STRING(32 bytes)}:
    // the fixed 12 bytes that precede the raw key in X.509 encoding (RFC 8410 §4).
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private Ed25519() {}

    /** A public key from its 32-byte RFC 8032 encoding. */
    public static PublicKey publicKey(byte[] raw) {
        if (raw.length != KEY_SIZE) {
            throw new IllegalArgumentException("Ed25519 public key has " + raw.length + " bytes, want " + KEY_SIZE);
        }
        byte[] encoded = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + KEY_SIZE);
        System.arraycopy(raw, 0, encoded, SPKI_PREFIX.length, KEY_SIZE);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519 (needs Java 15+)", e);
        }
    }

    /** The 32-byte RFC 8032 encoding of a public key. */
    public static byte[] rawPublicKey(PublicKey key) {
        byte[] encoded = key.getEncoded();
        if (encoded == null
                || encoded.length != SPKI_PREFIX.length + KEY_SIZE
                || !Arrays.equals(encoded, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm());
        }
        return Arrays.copyOfRange(encoded, SPKI_PREFIX.length, encoded.length);
    }

    /**
     * The key pair whose RFC 8032 private key (the 32-byte seed) is {@code seed}.
     *
     * <p>The JDK offers no public API to compute an Ed25519 public key from a private key.
     * Its key pair generator, however, draws the private key as exactly one
     * {@code nextBytes(32)} from the {@link SecureRandom} it is given, and then derives the
     * public key from it (SunEC's {@code EdDSAOperations.generatePrivate}, unchanged since
     * Java 15; the Go sumdb/note test key in the tests pins it on the running JDK). So we hand
     * it a random source that yields the seed and nothing else. Because that relies on behavior
     * rather than on a contract, the result is checked: the generated private key must equal
     * the seed, and the random source refuses any second or differently sized draw. A
     * provider that behaves otherwise fails loudly here, never with a wrong key.
     */
    public static KeyPair fromSeed(byte[] seed) {
        if (seed.length != KEY_SIZE) {
            throw new IllegalArgumentException("Ed25519 seed has " + seed.length + " bytes, want " + KEY_SIZE);
        }
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519 (needs Java 15+)", e);
        }
        byte[] privateKey = ((EdECPrivateKey) pair.getPrivate())
                .getBytes()
                .orElseThrow(() -> new IllegalStateException("Ed25519 private key is not extractable"));
        boolean seedUsed = MessageDigest.isEqual(privateKey, seed);
        Arrays.fill(privateKey, (byte) 0);
        if (!seedUsed) {
            throw new IllegalStateException("the Ed25519 key pair generator of "
                    + pair.getPrivate().getClass().getName()
                    + " did not take the seed as private key; cannot derive the public key");
        }
        return pair;
    }

    /** 32 fresh random bytes, a new private key. */
    public static byte[] newSeed() {
        byte[] seed = new byte[KEY_SIZE];
        new SecureRandom().nextBytes(seed);
        return seed;
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(key);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** Whether {@code signature} is a valid signature of {@code message}; false on any malformation. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        if (signature.length != SIGNATURE_SIZE) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (SignatureException | InvalidKeyException e) {
            return false; // e.g. a public key that is not a curve point
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 verification unavailable", e);
        }
    }

    /** A random source that yields one seed, once; see {@link #fromSeed}. */
    private static final class SeedRandom extends SecureRandom {
        SeedRandom(byte[] seed) {
            super(new SeedSpi(seed), null);
        }
    }

    private static final class SeedSpi extends SecureRandomSpi {
        private byte @Nullable [] seed;

        SeedSpi(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        protected void engineSetSeed(byte[] ignored) {
            // Mixing in more seed material would change the key; the seed is all there is.
        }

        @Override
        protected synchronized void engineNextBytes(byte[] bytes) {
            if (seed == null || bytes.length != seed.length) {
                throw new IllegalStateException("seed source asked for " + bytes.length + " bytes"
                        + (seed == null ? " after the seed was used" : ", has " + seed.length));
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
            Arrays.fill(seed, (byte) 0);
            seed = null;
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            throw new IllegalStateException("seed source cannot generate seeds");
        }
    }
}
