package io.countersign.server.cli;

import io.countersign.server.audit.verify.AuditSource;
import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.server.audit.verify.DataFolderSource;
import io.countersign.server.audit.verify.ExportFile;
import io.countersign.server.audit.verify.ServerSource;
import io.countersign.server.config.ConfigFile;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.tlog.note.NoteVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code countersign audit}: verify a log (from a server, a data folder or an export file),
 * export it for offline verification, prove one entry, and make or show signing keys. Exit codes
 * of {@code verify}: 0 verified, 1 verification failed (the first bad thing is named), 2 nothing
 * could be verified (no trusted key, unreachable source).
 */
@Command(
        name = "audit",
        description = "Verify, export and prove the tamper-evident audit log.",
        subcommands = {
            AuditVerifyCommand.class,
            AuditExportCommand.class,
            AuditProveCommand.class,
            AuditKeyCommand.class,
            AuditKeygenCommand.class
        })
public final class AuditCommand {
    static final int VERIFIED = 0;
    static final int FAILED = 1;
    static final int UNVERIFIABLE = 2;
    /** Where the bearer token for {@code --server} comes from when {@code --token} is not given (a flag shows in {@code ps}; this does not). */
    static final String TOKEN_ENV = "COUNTERSIGN_TOKEN";

    static final String TOKEN_HELP =
            "an auditor's or admin's token, to read the entries from --server (default: the COUNTERSIGN_TOKEN environment variable)";

    static Optional<String> token(String option) {
        return Optional.ofNullable(option)
                .or(() -> Optional.ofNullable(System.getenv(TOKEN_ENV)))
                .filter(t -> !t.isBlank());
    }

    /** Exactly one place to read the log from. */
    static final class From {
        @Option(names = "--server", description = "a gateway's base URL, e.g. https://countersign.example.com")
        String server;

        @Option(names = "--data", description = "a gateway's data folder")
        Path data;

        @Option(
                names = "--export",
                description =
                        "an export file written by 'countersign audit export', or an evidence package (zip) written by 'countersign evidence export'")
        Path export;

        @Option(
                names = "--config",
                description = "a gateway's countersign.yaml: the database it names (PostgreSQL, or its data folder)")
        Path config;

        AuditSource open(Optional<String> token) throws IOException, SourceException {
            if (server != null) {
                return new ServerSource(server, JsonMapper.builder().build(), token);
            }
            if (data != null) {
                return DataFolderSource.open(data);
            }
            if (config != null) {
                return configured(config);
            }
            return ExportFile.open(export);
        }
    }

    /** A log online: a server or a data folder. */
    static final class Live {
        @Option(names = "--server", description = "a gateway's base URL")
        String server;

        @Option(names = "--data", description = "a gateway's data folder")
        Path data;

        @Option(names = "--config", description = "a gateway's countersign.yaml: the database it names")
        Path config;

        AuditSource open(Optional<String> token) throws SourceException {
            if (server != null) {
                return new ServerSource(server, JsonMapper.builder().build(), token);
            }
            return config != null ? configured(config) : DataFolderSource.open(data);
        }
    }

    /** The log in the database a gateway config names: PostgreSQL (keys from its data folder), or the data folder's SQLite. */
    static AuditSource configured(Path config) throws SourceException {
        ServerConfig settings = ConfigFile.load(config);
        if (settings.database().postgres().isPresent()) {
            return DataFolderSource.onStore(
                    settings.dataDirectory(),
                    PostgresStore.open(settings.database().postgres().get()));
        }
        return DataFolderSource.open(settings.dataDirectory());
    }

    static Optional<NoteVerifier> parseKey(String key) {
        if (key == null) {
            return Optional.empty();
        }
        return Optional.of(NoteVerifier.parse(readKey(key)));
    }

    /** A key given on the command line, or read from the file after '@'. */
    static String readKey(String key) {
        if (!key.startsWith("@")) {
            return key.strip();
        }
        try {
            return Files.readString(Path.of(key.substring(1)), StandardCharsets.UTF_8)
                    .strip();
        } catch (IOException e) {
            throw new UncheckedIOException("can't read the key file " + key.substring(1) + ": " + e.getMessage(), e);
        }
    }

    static Optional<NoteVerifier> offered(AuditSource source) {
        try {
            return source.offeredKey().map(NoteVerifier::parse);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SourceException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
