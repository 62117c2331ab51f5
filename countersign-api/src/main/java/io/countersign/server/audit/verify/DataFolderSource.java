package io.countersign.server.audit.verify;

import io.countersign.server.audit.AuditSigningKey;
import io.countersign.store.EntryMacs;
import io.countersign.store.GatewayStore;
import io.countersign.store.StoredCheckpoint;
import io.countersign.store.sqlite.SqliteStore;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.proof.ConsistencyProof;
import io.countersign.tlog.proof.InclusionProof;
import io.countersign.tlog.proof.ProofBuilder;
import io.countersign.tlog.tree.HashReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A gateway's data folder, read directly (the gateway may be running or not): the entries as
 * stored, with their sequence column; the stored checkpoints; proofs from the stored tree
 * nodes; and, if the signing key lives there, its public half.
 */
public final class DataFolderSource implements AuditSource {
    private final Path directory;
    private final GatewayStore store;
    private final String description;
    private final ProofBuilder proofs;
    private final boolean ownsStore;
    private final Optional<EntryMacs> macs;
    private Optional<String> rowProblem = Optional.empty();

    private DataFolderSource(Path directory, GatewayStore store, String description) {
        this(directory, store, description, true);
    }

    private DataFolderSource(Path directory, GatewayStore store, String description, boolean ownsStore) {
        this.directory = directory;
        this.store = store;
        this.description = description;
        this.proofs = new ProofBuilder(store.audit().hashes());
        this.ownsStore = ownsStore;
        this.macs = ownsStore ? EntryMacs.readIfPresent(directory) : Optional.empty();
    }

    /** A running gateway's own store, read in place (the console's export); closing the source leaves the store open. */
    public static DataFolderSource live(GatewayStore store) {
        return new DataFolderSource(Path.of(""), store, "database " + store.describe(), false);
    }

    /**
     * The log in a database other than the folder's own SQLite file (PostgreSQL), with the signing
     * key (if any) in {@code keyDirectory}. Closing the source closes the store.
     */
    public static DataFolderSource onStore(Path keyDirectory, GatewayStore store) {
        return new DataFolderSource(keyDirectory, store, "database " + store.describe());
    }

    /** Opens the folder's database; refuses a folder without one rather than creating an empty log. */
    public static DataFolderSource open(Path directory) throws SourceException {
        if (!Files.isRegularFile(directory.resolve("countersign.db"))) {
            throw new SourceException("no Countersign database in " + directory.toAbsolutePath());
        }
        return new DataFolderSource(directory, SqliteStore.open(directory), "data folder " + directory);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String checkpoint() throws SourceException {
        return latest().note();
    }

    /** The newest stored checkpoint. */
    public StoredCheckpoint latest() throws SourceException {
        return store.audit()
                .latestCheckpoint()
                .orElseThrow(() -> new SourceException(
                        "the " + describe() + " has no signed checkpoint yet: start the gateway on it once"));
    }

    @Override
    public Optional<String> offeredKey() {
        return AuditSigningKey.readIfPresent(directory.resolve(AuditSigningKey.FILE_NAME))
                .map(NoteSigner::verifier)
                .map(Object::toString);
    }

    @Override
    public void entries(long size, EntrySink sink) throws IOException {
        try {
            store.audit().scanEntries(0, new io.countersign.store.AuditLeafSink() {
                long position;

                @Override
                public void accept(long seq, byte[] leaf) throws IOException {
                    if (!sink.accept(position++, seq, leaf, null)) {
                        throw Stop.INSTANCE;
                    }
                }

                boolean seenMac;

                @Override
                public void acceptRow(
                        long seq, long time, String type, Optional<String> requestId, byte[] leaf, Optional<byte[]> mac)
                        throws IOException {
                    if (rowProblem.isEmpty()) {
                        rowProblem = StoredRows.mismatch(seq, time, type, requestId, leaf)
                                .or(() -> macProblem(seq, leaf, mac));
                    }
                    seenMac |= mac.isPresent();
                    accept(seq, leaf);
                }

                /** Entries from before schema 7 have no MAC; once one has, every later one must have a MAC that verifies. */
                private Optional<String> macProblem(long seq, byte[] leaf, Optional<byte[]> mac) {
                    if (macs.isEmpty() || (mac.isEmpty() && !seenMac)) {
                        return Optional.empty();
                    }
                    if (mac.isEmpty()) {
                        return Optional.of("entry " + seq
                                + " has no MAC though earlier entries have one: it was not written by a gateway node");
                    }
                    return macs.get().verifies(leaf, mac)
                            ? Optional.empty()
                            : Optional.of("entry " + seq + ": its MAC does not verify under the data folder's "
                                    + EntryMacs.FILE_NAME + ": it was not written by a gateway node");
                }
            });
        } catch (Stop stop) {
            // the sink has seen enough
        }
    }

    @Override
    public Optional<ConsistencyProof> consistency(long from, long to) {
        return Optional.of(proofs.consistency(from, to));
    }

    /** The inclusion proof of entry {@code index} in the tree of {@code size} entries, from the stored nodes. */
    public InclusionProof inclusion(long index, long size) {
        return proofs.inclusion(index, size);
    }

    @Override
    public Optional<HashReader> storedTree() {
        return Optional.of(store.audit().hashes());
    }

    @Override
    public Optional<String> storedRowProblem() {
        return rowProblem;
    }

    @Override
    public void storedCheckpoints(Consumer<String> sink) {
        store.audit().eachCheckpoint(checkpoint -> sink.accept(checkpoint.note()));
    }

    @Override
    public void close() {
        if (ownsStore) {
            store.close();
        }
    }

    /** Ends a scan early; carries no stack trace. */
    private static final class Stop extends IOException {
        static final Stop INSTANCE = new Stop();

        private Stop() {
            super("stop", null);
            setStackTrace(new StackTraceElement[0]);
        }
    }
}
