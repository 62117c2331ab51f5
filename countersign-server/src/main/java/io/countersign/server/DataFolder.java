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
     * The 32-byte key file {@code name}, created with mode 0600 on first use. Creation is atomic
     * (CREATE_NEW), so two processes starting at once agree on one key.
     */
    public byte[] secretKey(String name) {
        Path file = create().resolve(name);
        try {
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                try {
                    Files.write(file, key, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
                    restrictToOwner(file);
                } catch (FileAlreadyExistsException raced) {
                    // another process created it first; use theirs
                }
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length != 32) {
                throw new IllegalStateException(file + " has " + key.length + " bytes, want 32; restore it from backup or remove it (all outstanding grants then become invalid)");
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("can't read or create the key " + file, e);
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // non-POSIX file systems keep their default ACLs
        }
    }
}
