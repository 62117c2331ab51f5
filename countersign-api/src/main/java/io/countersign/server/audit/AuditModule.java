package io.countersign.server.audit;

import static java.util.Objects.requireNonNull;

import io.countersign.store.GatewayStore;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.proof.ProofBuilder;
import io.javalin.config.RoutesConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit log's running parts for one gateway, built by the composition root: the signing
 * key, the checkpointer, the witnesses, the routes and their metrics. Closing signs a last
 * checkpoint, then stops the witnesses.
 */
public final class AuditModule implements AutoCloseable {
    private final NoteVerifier verifierKey;
    private final AuditMetrics metrics;
    private final Witnesses witnesses;
    private final Checkpointer checkpointer;
    private final AuditRoutes routes;
    private final TileRoutes tiles;

    private AuditModule(
            NoteVerifier verifierKey,
            AuditMetrics metrics,
            Witnesses witnesses,
            Checkpointer checkpointer,
            AuditRoutes routes,
            TileRoutes tiles) {
        this.verifierKey = verifierKey;
        this.metrics = metrics;
        this.witnesses = witnesses;
        this.checkpointer = checkpointer;
        this.routes = routes;
        this.tiles = tiles;
    }

    public static AuditModule start(
            GatewayStore store, Path dataDirectory, AuditConfig config, Clock clock, JsonMapper mapper) {
        return start(store, dataDirectory, config, clock, mapper, seq -> {});
    }

    /** With {@code unauthenticated} told of an entry no gateway node wrote, which the checkpointer refuses to sign (see {@link Checkpointer}). */
    public static AuditModule start(
            GatewayStore store,
            Path dataDirectory,
            AuditConfig config,
            Clock clock,
            JsonMapper mapper,
            java.util.function.LongConsumer unauthenticated) {
        requireNonNull(store, "store is null");
        NoteSigner key = AuditSigningKey.loadOrCreate(dataDirectory, config);
        AuditMetrics metrics = new AuditMetrics();
        Witnesses witnesses = Witnesses.start(
                config.witnesses(), new ProofBuilder(store.audit().hashes()), store.audit(), clock, metrics);
        try {
            Checkpointer checkpointer = Checkpointer.start(
                    store.audit(), key, clock, config.checkpointInterval(), witnesses::offer, metrics, unauthenticated);
            return new AuditModule(
                    key.verifier(),
                    metrics,
                    witnesses,
                    checkpointer,
                    new AuditRoutes(store, key.verifier(), mapper, config.publicEntries()),
                    new TileRoutes(store, config.tilesPrefix(), config.publicEntries()));
        } catch (RuntimeException e) {
            witnesses.close();
            throw e;
        }
    }

    public Consumer<RoutesConfig> routes() {
        return all -> {
            routes.register(all);
            tiles.register(all);
        };
    }

    public NoteVerifier verifierKey() {
        return verifierKey;
    }

    public Checkpointer checkpointer() {
        return checkpointer;
    }

    /** Prometheus text of the audit metrics. */
    public String scrapeMetrics() {
        return metrics.scrape();
    }

    @Override
    public void close() {
        try {
            checkpointer.close();
        } finally {
            witnesses.close();
        }
    }
}
