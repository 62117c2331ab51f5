package io.countersign.store.sql;

import static java.util.Objects.requireNonNull;

import io.countersign.store.EntryMacs;
import io.countersign.store.internal.RequestCodec;

/**
 * The tables a store reads and writes through, made once per store and shared by its reads, its
 * writer and its transactions. Stateless apart from their codec and key, so safe across threads.
 */
public record SqlTables(RequestTable requests, AuditTable audit, CredentialTable credentials) {
    public SqlTables {
        requireNonNull(requests, "requests is null");
        requireNonNull(audit, "audit is null");
        requireNonNull(credentials, "credentials is null");
    }

    /** The tables of a store that encodes requests with {@code codec} and authenticates entries with {@code macs}. */
    public static SqlTables of(RequestCodec codec, EntryMacs macs) {
        requireNonNull(codec, "codec is null");
        requireNonNull(macs, "macs is null");
        return new SqlTables(new RequestTable(codec), new AuditTable(macs), new CredentialTable(codec));
    }
}
