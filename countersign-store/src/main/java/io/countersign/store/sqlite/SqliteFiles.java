package io.countersign.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.countersign.store.StoreException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteOpenMode;

/** How the database file is found, migrated and connected to. */
final class SqliteFiles {
    static final String FILE_NAME = "countersign.db";
    private static final String MIGRATIONS = "classpath:db/migration/sqlite";
    private static final int BUSY_TIMEOUT_MILLIS = 5_000;
    private static final int READERS = 4;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private SqliteFiles() {}

    /** Creates the data directory if needed (owner-only where the file system knows permissions) and returns the database file. */
    static Path prepare(Path dataDirectory) {
        try {
            if (!Files.isDirectory(dataDirectory)) {
                try {
                    Files.createDirectories(
                            dataDirectory,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(dataDirectory);
                }
            }
        } catch (FileAlreadyExistsException e) {
            throw new StoreException("data directory " + dataDirectory + " exists and is not a directory", e);
        } catch (IOException e) {
            throw new StoreException("can't create data directory " + dataDirectory + ": " + e, e);
        }
        Path file = dataDirectory.resolve(FILE_NAME).toAbsolutePath();
        ownerOnly(file);
        return file;
    }

    /**
     * The database holds every request and the audit log: mode 0600 like the keys. A new file is
     * created with that mode before SQLite opens it (an empty file is an empty database), and
     * SQLite gives its -wal and -shm files the mode of the database file; files of an older
     * folder that others may read are narrowed.
     */
    private static void ownerOnly(Path file) {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException exists) {
            // narrowed below
        } catch (UnsupportedOperationException notPosix) {
            return; // non-POSIX file systems keep their ACLs
        } catch (IOException e) {
            throw new StoreException("can't create " + file + ": " + e, e);
        }
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Path part = file.resolveSibling(file.getFileName() + suffix);
            try {
                if (Files.exists(part) && !Files.getPosixFilePermissions(part).equals(OWNER_ONLY)) {
                    Files.setPosixFilePermissions(part, OWNER_ONLY);
                }
            } catch (IOException e) {
                throw new StoreException("can't make " + part + " readable by its owner only: " + e, e);
            }
        }
    }

    static String url(Path file) {
        return "jdbc:sqlite:" + file;
    }

    /** Brings the schema up to date; Flyway refuses a database whose applied migrations were edited. */
    static void migrate(Path file) {
        SQLiteDataSource dataSource = new SQLiteDataSource(writerConfig());
        dataSource.setUrl(url(file));
        try {
            Flyway.configure(SqliteFiles.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations(MIGRATIONS)
                    .failOnMissingLocations(true)
                    // Never drop the database on a misconfiguration; it holds the audit log.
                    .cleanDisabled(true)
                    // Into the application's logging, not java.util.logging's console.
                    .loggers("slf4j")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new StoreException("migrating the schema of " + file + " failed: " + e.getMessage(), e);
        }
    }

    static Connection openWriter(Path file) throws SQLException {
        return writerConfig().createConnection(url(file));
    }

    static HikariDataSource openReaders(Path file) {
        SQLiteDataSource readers = new SQLiteDataSource(readerConfig());
        readers.setUrl(url(file));
        HikariConfig pool = new HikariConfig();
        pool.setDataSource(readers);
        pool.setPoolName("countersign-sqlite-read");
        pool.setMaximumPoolSize(READERS);
        pool.setMinimumIdle(1);
        pool.setReadOnly(true);
        pool.setConnectionTimeout(10_000);
        return new HikariDataSource(pool);
    }

    private static SQLiteConfig writerConfig() {
        SQLiteConfig config = new SQLiteConfig();
        // WAL: readers see the last commit and never block the writer, nor the writer them.
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: the WAL is fsynced at every commit, so what was acknowledged survives a power loss,
        // not only a kill -9 (with NORMAL it would survive the kill but not the power loss).
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        // Another process on the same file (the command line) briefly holds the write lock: wait for it.
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.enforceForeignKeys(true);
        return config;
    }

    private static SQLiteConfig readerConfig() {
        SQLiteConfig config = new SQLiteConfig();
        // Opened read-only by SQLite itself: a reader can't write even by mistake. The journal mode
        // is a property of the file, set by the writer; a read-only connection can't set it.
        config.setReadOnly(true);
        config.setOpenMode(SQLiteOpenMode.READONLY);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.enforceForeignKeys(true);
        return config;
    }
}
