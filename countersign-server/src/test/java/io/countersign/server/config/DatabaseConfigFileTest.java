package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.store.postgres.PostgresSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code database:} section of countersign.yaml. */
class DatabaseConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void withoutASection_theStoreIsSqliteInTheDataFolder() throws Exception {
        assertThat(ConfigFile.load(write("data: ./data\n")).database()).isEqualTo(DatabaseConfig.embedded());
    }

    @Test
    void theDatabaseSection_namesAPostgresDatabase() throws Exception {
        DatabaseConfig database = ConfigFile.load(write("""
                database:
                  url: jdbc:postgresql://db.example.com:5432/countersign
                  user: countersign
                  poolSize: 20
                """)).database();

        assertThat(database.postgres())
                .contains(new PostgresSettings(
                        "jdbc:postgresql://db.example.com:5432/countersign",
                        Optional.of("countersign"),
                        Optional.empty(),
                        20));
    }

    @Test
    void aPasswordVariableThatIsNotSet_isAnError() throws Exception {
        Path file = write(
                "database: {url: 'jdbc:postgresql://db/countersign', passwordEnv: COUNTERSIGN_TEST_NO_SUCH_VARIABLE}\n");

        assertThatThrownBy(() -> ConfigFile.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "names the environment variable COUNTERSIGN_TEST_NO_SUCH_VARIABLE, which is not set");
    }

    @Test
    void aUrlOfAnotherDatabase_andUnknownKeys_areErrors() throws Exception {
        assertThatThrownBy(() -> ConfigFile.load(write("database: {url: 'jdbc:mysql://db/countersign'}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not a PostgreSQL JDBC URL");
        assertThatThrownBy(
                        () -> ConfigFile.load(write("database: {url: 'jdbc:postgresql://db/c', password: secret}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'password' in database");
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("countersign.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
