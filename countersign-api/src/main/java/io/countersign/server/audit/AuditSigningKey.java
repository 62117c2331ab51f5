package io.countersign.server.audit;

import io.countersign.tlog.note.NoteSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the log's Ed25519 checkpoint signing key comes from: {@code audit.signingKeyFile} when
 * configured, else {@code audit-signing.key} in the data folder, generated on first start with
 * mode 0600. The file holds one line, the key in Go's note format
 * {@code PRIVATE+KEY+<name>+<key id>+<base64>}.
 *
 * <p>The key's name is the log's origin. The origin is {@code audit.origin} when configured;
 * else the existing key's name, so that it stays stable once chosen; else, for a new key,
 * {@code countersign/<hostname>/<log id>}, where the log id is random and kept in the data folder
 * ({@code log-id}): two gateways on one host are two logs, never one history rewritten.
 */
public final class AuditSigningKey {
    /** The key file's name in the data folder. */
    public static final String FILE_NAME = "audit-signing.key";

    private static final Logger LOG = LoggerFactory.getLogger(AuditSigningKey.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AuditSigningKey() {}

    /**
     * Loads the signing key, or creates it in the data folder when it does not exist yet.
     *
     * @throws IllegalStateException when the key file is unreadable or malformed, or its name is not the configured origin
     */
    public static NoteSigner loadOrCreate(Path dataDirectory, AuditConfig config) {
        if (config.signingKeyFile().isPresent()) {
            Path file = config.signingKeyFile().get();
            if (!Files.exists(file)) {
                throw new IllegalStateException(
                        "audit.signingKeyFile " + file + " does not exist; remove the setting to have a key"
                                + " generated in the data folder, or create one with 'countersign audit keygen --origin ORIGIN --out "
                                + file + "'");
            }
            return checkedOrigin(read(file), file, config);
        }
        Path file = dataDirectory.resolve(FILE_NAME);
        if (Files.exists(file)) {
            return checkedOrigin(read(file), file, config);
        }
        NoteSigner created = NoteSigner.generate(config.origin().orElseGet(() -> defaultOrigin(dataDirectory)));
        if (!write(file, created)) {
            return checkedOrigin(read(file), file, config); // another process created it first: use theirs
        }
        LOG.info(
                "created the audit log signing key {} for origin '{}'; its verifier key is {}",
                file,
                created.name(),
                created.verifier());
        return created;
    }

    /** Reads a key file, if it exists; for the command line, which only needs the public half. */
    public static Optional<NoteSigner> readIfPresent(Path file) {
        return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
    }

    /**
     * Writes a new key file with mode 0600 from its creation on (no window where it is readable
     * by others). Returns false when the file exists already.
     */
    public static boolean write(Path file, NoteSigner key) {
        byte[] content = (key.exportPrivateKey() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.write(createOwnerOnly(file), content, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
                return true;
            } catch (FileAlreadyExistsException raced) {
                return false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("can't create the audit signing key " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file in the data folder that holds its log id, 16 random hex digits. */
    public static final String LOG_ID_FILE = "log-id";

    /** {@code countersign/<hostname>/<log id>}, lower case; {@code countersign/localhost/<log id>} when the host has no usable name. */
    static String defaultOrigin(Path dataDirectory) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("localhost");
        }
        String cleaned = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        return "countersign/" + (cleaned.isEmpty() ? "localhost" : cleaned) + "/" + logId(dataDirectory);
    }

    /** The data folder's log id, created on first use; of two processes creating it at once, one wins and both read it. */
    static String logId(Path dataDirectory) {
        Path file = dataDirectory.resolve(LOG_ID_FILE);
        try {
            if (!Files.exists(file)) {
                byte[] id = new byte[8];
                new SecureRandom().nextBytes(id);
                try {
                    Files.write(
                            createOwnerOnly(file),
                            (HexFormat.of().formatHex(id) + "\n").getBytes(StandardCharsets.US_ASCII),
                            StandardOpenOption.WRITE,
                            StandardOpenOption.SYNC);
                } catch (FileAlreadyExistsException raced) {
                    // another process wrote it first; use theirs
                }
            }
            String id = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!id.matches("[0-9a-f]{16}")) {
                throw new IllegalStateException(file + " holds '" + id
                        + "', want 16 hex digits; restore it or remove it together with the signing key");
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("can't read or create the log id " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path createOwnerOnly(Path file) throws IOException {
        try {
            FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
            return Files.createFile(file, mode);
        } catch (UnsupportedOperationException notPosix) {
            return Files.createFile(file);
        }
    }

    private static NoteSigner read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
            warnIfReadableByOthers(file);
        } catch (IOException e) {
            throw new UncheckedIOException("can't read the audit signing key " + file + ": " + e.getMessage(), e);
        }
        try {
            return NoteSigner.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "the audit signing key " + file + " is not a note signing key: " + e.getMessage(), e);
        }
    }

    private static NoteSigner checkedOrigin(NoteSigner key, Path file, AuditConfig config) {
        if (config.origin().isPresent() && !config.origin().get().equals(key.name())) {
            throw new IllegalStateException(
                    "the audit signing key " + file + " is named '" + key.name() + "' but audit.origin is '"
                            + config.origin().get()
                            + "': a checkpoint's origin is its key's name. Set audit.origin to '" + key.name()
                            + "', or move the key away to start a new log identity (verifiers will then need the new key)");
        }
        return key;
    }

    private static void warnIfReadableByOthers(Path file) throws IOException {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.stream()
                    .anyMatch(permission ->
                            !OWNER_ONLY.contains(permission) && permission != PosixFilePermission.OWNER_EXECUTE)) {
                LOG.warn(
                        "the audit signing key {} is readable or writable by others (mode {}); chmod 600 it",
                        file,
                        PosixFilePermissions.toString(mode));
            }
        } catch (UnsupportedOperationException notPosix) {
            // nothing to check on this file system
        }
    }
}
