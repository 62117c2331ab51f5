package io.countersign.server;

import io.countersign.identity.ApiTokens;
import io.countersign.identity.Principal;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Clock;

/** Credentials for tests, issued as the command line issues them: straight into a SQLite data folder, while a gateway may be running on it. */
public final class TestCredentials {
    private TestCredentials() {}

    /** A new API key (agent) or local token (human) for {@code principal}, revealed. */
    public static String issue(Path data, Principal principal) {
        try (SqliteStore store = SqliteStore.open(data)) {
            return new ApiTokens(store, Clock.systemUTC()).issue(principal).reveal();
        }
    }
}
