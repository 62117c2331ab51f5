package io.countersign.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MAC each audit entry is stored with: HMAC-SHA256 over its leaf bytes (which hold its
 * sequence number), under a key only gateway nodes hold, {@code audit-entry.key} in the data
 * folder beside {@code grant.key}. Anyone who can write the database but lacks the key can append
 * rows, but not rows whose MAC verifies; the checkpointer signs nothing past such a row.
 *
 * <p>Several nodes on one PostgreSQL share the key as they share {@code grant.key}: the same file
 * in every node's data folder.
 */
public final class EntryMacs {
    public static final String FILE_NAME = "audit-entry.key";
    private static final String ALGORITHM = "HmacSHA256";

    private final Optional<SecretKeySpec> key;

    private EntryMacs(Optional<SecretKeySpec> key) {
        this.key = key;
    }

    /** The key in {@code dataDirectory}, created (mode 0600) on first use; of two processes creating it at once, one key wins. */
    public static EntryMacs inDataFolder(Path dataDirectory) {
        Path file = dataDirectory.resolve(FILE_NAME);
        try {
            if (!Files.exists(file)) {
                publish(dataDirectory, file);
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length != 32) {
                throw new IllegalStateException(
                        file + " has " + bytes.length + " bytes, want 32; restore it from backup (without it, no new"
                                + " audit entry can be checked before it is signed)");
            }
            return new EntryMacs(Optional.of(new SecretKeySpec(bytes, ALGORITHM)));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "can't read or create the audit entry key " + file + ": " + e.getMessage(), e);
        }
    }

    /** The key in {@code dataDirectory} if it has one; for verifiers, which create nothing. */
    public static Optional<EntryMacs> readIfPresent(Path dataDirectory) {
        return Files.exists(dataDirectory.resolve(FILE_NAME))
                ? Optional.of(inDataFolder(dataDirectory))
                : Optional.empty();
    }

    /** No key: what this store appends carries no MAC, and no entry verifies. For stores opened without a data folder. */
    public static EntryMacs unkeyed() {
        return new EntryMacs(Optional.empty());
    }

    /** The MAC to store beside {@code leaf}; empty without a key. */
    public Optional<byte[]> mac(byte[] leaf) {
        return key.map(k -> compute(k, leaf));
    }

    /** Whether {@code mac} is the MAC of {@code leaf} under this key (constant time); false for a missing MAC or without a key. */
    public boolean verifies(byte[] leaf, Optional<byte[]> mac) {
        return key.isPresent() && mac.isPresent() && MessageDigest.isEqual(compute(key.get(), leaf), mac.get());
    }

    private static byte[] compute(SecretKeySpec key, byte[] leaf) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(leaf);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available: " + e.getMessage(), e);
        }
    }

    /** A fresh key in an owner-only temp file, linked under its name: never partial, never readable by others. */
    private static void publish(Path directory, Path file) throws IOException {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        Files.createDirectories(directory);
        Path temp;
        try {
            temp = Files.createTempFile(
                    directory,
                    ".key-",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            temp = Files.createTempFile(directory, ".key-", ".tmp");
        }
        try {
            Files.write(temp, bytes, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            Files.createLink(file, temp);
        } catch (FileAlreadyExistsException raced) {
            // another process published its key first; use theirs
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public String toString() {
        return "EntryMacs(***)";
    }
}
