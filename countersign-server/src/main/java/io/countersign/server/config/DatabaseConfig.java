package io.countersign.server.config;

import static java.util.Objects.requireNonNull;

import io.countersign.store.postgres.PostgresSettings;
import java.util.Optional;

/**
 * Which database the gateway keeps its state in: SQLite in the data folder (no {@code database:}
 * section), or a PostgreSQL that several gateway nodes share.
 *
 * <pre>
 * database:
 *   url: jdbc:postgresql://db.example.com:5432/countersign
 *   user: countersign
 *   passwordEnv: COUNTERSIGN_DB_PASSWORD   # the name of an environment variable, not the password
 *   poolSize: 10
 * </pre>
 */
public record DatabaseConfig(Optional<PostgresSettings> postgres) {

    public DatabaseConfig {
        requireNonNull(postgres, "postgres is null");
    }

    /** SQLite in the data folder. */
    public static DatabaseConfig embedded() {
        return new DatabaseConfig(Optional.empty());
    }

    public static DatabaseConfig postgres(PostgresSettings settings) {
        return new DatabaseConfig(Optional.of(settings));
    }

    @Override
    public String toString() {
        return postgres.map(PostgresSettings::toString).orElse("SQLite in the data folder");
    }
}
