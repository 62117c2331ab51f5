package io.countersign.server.audit;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.store.GatewayStore;
import io.countersign.store.StoredCheckpoint;
import io.countersign.tlog.tiles.BundleId;
import io.countersign.tlog.tiles.EntryBundle;
import io.countersign.tlog.tiles.EntryTooLargeException;
import io.countersign.tlog.tiles.MalformedTilePathException;
import io.countersign.tlog.tiles.TileId;
import io.countersign.tlog.tiles.TilePaths;
import io.countersign.tlog.tiles.TileReader;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;

/**
 * The log as C2SP tlog-tiles (c2sp.org/tlog-tiles) under a configurable prefix, so that
 * monitors, witnesses and Tessera-style clients read it without our API: {@code
 * <prefix>/checkpoint}, hash tiles {@code <prefix>/tile/<L>/<N>[.p/<W>]} and entry bundles
 * {@code <prefix>/tile/entries/<N>[.p/<W>]}.
 *
 * <p>Only what the latest signed checkpoint covers is served: a tile or bundle reaching past it
 * is 404, so nothing the checkpointer refused to sign (an entry no gateway node wrote) shows up
 * here. The checkpoint and the hash tiles are public, like the checkpoint and proofs of {@code
 * /v1/audit}; the bundles carry the entries, hence parameters, comments and emails, and need the
 * credential {@code GET /v1/audit/entries} needs. Tiles and bundles never change once they exist
 * (a partial one is the same bytes forever too), so they are cacheable for a year, and a
 * bundle that needs a credential only by the client's own cache ({@code private}).
 */
public final class TileRoutes {
    static final String IMMUTABLE = "max-age=31536000, immutable";

    private final GatewayStore store;
    private final TileReader tiles;
    private final String prefix;
    private final boolean publicEntries;

    public TileRoutes(GatewayStore store, String prefix, boolean publicEntries) {
        this.store = requireNonNull(store, "store is null");
        this.tiles = new TileReader(store.audit().hashes());
        this.prefix = requireNonNull(prefix, "prefix is null");
        this.publicEntries = publicEntries;
    }

    public void register(RoutesConfig routes) {
        routes.get(prefix + "/checkpoint", this::checkpoint, Access.ANYONE);
        if (publicEntries) {
            routes.get(prefix + "/tile/entries/<bundle>", this::bundle, Access.ANYONE);
        } else {
            routes.get(prefix + "/tile/entries/<bundle>", this::bundle, Access.AUDITOR, Access.ADMIN);
        }
        routes.get(prefix + "/tile/{level}/<index>", this::tile, Access.ANYONE);
    }

    private void checkpoint(Context ctx) {
        StoredCheckpoint latest = latest();
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("text/plain; charset=utf-8").result(latest.note());
    }

    private void tile(Context ctx) {
        String path = ctx.pathParam("level") + "/" + ctx.pathParam("index");
        TileId tile;
        try {
            tile = TilePaths.parseTile(path);
        } catch (MalformedTilePathException e) {
            throw ApiProblem.notFound("'tile/" + path + "' is not a tile: " + e.getMessage());
        }
        long size = latest().size();
        byte[] body = tiles.read(tile, size)
                .orElseThrow(() -> ApiProblem.notFound(
                        tile.path() + " is not in the tree of the latest checkpoint," + " of size " + size));
        ctx.header("Cache-Control", "public, " + IMMUTABLE);
        ctx.contentType("application/octet-stream").result(body);
    }

    private void bundle(Context ctx) {
        String path = ctx.pathParam("bundle");
        BundleId bundle;
        try {
            bundle = TilePaths.parseBundle(path);
        } catch (MalformedTilePathException e) {
            throw ApiProblem.notFound("'tile/entries/" + path + "' is not an entry bundle: " + e.getMessage());
        }
        long size = latest().size();
        if (!bundle.isCompleteIn(size)) {
            throw ApiProblem.notFound(bundle.path() + " is not in the tree of the latest checkpoint, of size " + size);
        }
        List<byte[]> entries = store.auditLeaves(bundle.start(), bundle.end());
        byte[] body;
        try {
            body = EntryBundle.encode(bundle, entries);
        } catch (EntryTooLargeException e) {
            throw new ApiProblem(
                    422,
                    "entry-too-large-for-bundle",
                    "An entry is too large for an entry bundle",
                    e.getMessage() + " (a bundle's length prefix is 2 bytes); its hash is in the tiles, and"
                            + " the entry itself is at /v1/audit/entries?start=" + e.entryIndex() + "&end="
                            + (e.entryIndex() + 1));
        }
        ctx.header("Cache-Control", (publicEntries ? "public, " : "private, ") + IMMUTABLE);
        ctx.contentType("application/octet-stream").result(body);
    }

    private StoredCheckpoint latest() {
        return store.audit()
                .latestCheckpoint()
                .orElseThrow(() -> new ApiProblem(
                        503,
                        "no-checkpoint",
                        "No checkpoint yet",
                        "the log has no signed checkpoint yet; retry in a second"));
    }
}
