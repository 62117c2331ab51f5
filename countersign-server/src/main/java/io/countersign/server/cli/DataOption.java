package io.countersign.server.cli;

import io.countersign.server.DataFolder;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data DIR}, shared by the commands that open the store directly. */
final class DataOption {
    @Option(names = "--data", description = "data folder (default ./countersign-data)")
    Path data = Path.of("countersign-data");

    SqliteStore openStore() {
        return SqliteStore.open(new DataFolder(data).create());
    }
}
