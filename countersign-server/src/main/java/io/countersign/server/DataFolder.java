package io.countersign.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/** The gateway's data folder: the database and the server's own keys, readable only by its owner. */
public final class DataFolder {
    private final Path directory;

    public DataFolder(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public Path directory() {
        return directory;
    }

    public Path create() {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("can't create the data folder " + directory, e);
        }
        return directory;
    }

    /**
     * The 32-byte key file {@code name}, created with mode 0600 on first use; two processes
     * starting at once agree on one key.
     */
    public byte[] secretKey(String name) {
        Path file = create().resolve(name);
        try {
            if (!Files.exists(file)) {
                publishNewKey(file);
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length != 32) {
                throw new IllegalStateException(
                        file + " has " + key.length
                                + " bytes, want 32; restore it from backup or remove it (all outstanding grants then become invalid)");
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("can't read or create the key " + file, e);
        }
    }

    /**
     * Writes a fresh key to an owner-only temp file, then links it under its name. The link is
     * atomic and fails when the name exists, so a reader never sees a partial key, other users
     * never see it at all, and of two processes starting at once one key wins.
     */
    private void publishNewKey(Path file) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path temp;
        try {
            temp = Files.createTempFile(
                    directory,
                    ".key-",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            temp = Files.createTempFile(directory, ".key-", ".tmp"); // non-POSIX file systems keep their default ACLs
        }
        try {
            Files.write(temp, key, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            Files.createLink(file, temp);
        } catch (FileAlreadyExistsException raced) {
            // another process published its key first; use theirs
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
