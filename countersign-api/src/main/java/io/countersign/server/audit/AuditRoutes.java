package io.countersign.server.audit;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.store.GatewayStore;
import io.countersign.store.StoreException;
import io.countersign.store.StoreUnavailableException;
import io.countersign.store.StoredCheckpoint;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.proof.ProofBuilder;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The audit log API (DESIGN.md): the latest signed checkpoint, the verifier key and inclusion and
 * consistency proofs, open to anyone; the entries, which carry parameters, comments and
 * approvers' emails, for auditors and admins unless {@code audit.publicEntries} opens them. Proof sizes are bounded by the
 * tree, which may be a little ahead of the latest checkpoint; clients take sizes from a
 * checkpoint they verified.
 */
public final class AuditRoutes {
    /** One page of entries at most; a client pages with start/end. */
    static final long MAX_ENTRIES_PER_CALL = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(AuditRoutes.class);

    private final GatewayStore store;
    private final ProofBuilder proofs;
    private final ServedProofCheck check;
    private final NoteVerifier verifierKey;
    private final JsonMapper mapper;
    private final boolean publicEntries;

    public AuditRoutes(GatewayStore store, NoteVerifier verifierKey, JsonMapper mapper) {
        this(store, verifierKey, mapper, false);
    }

    public AuditRoutes(GatewayStore store, NoteVerifier verifierKey, JsonMapper mapper, boolean publicEntries) {
        this.publicEntries = publicEntries;
        this.store = requireNonNull(store, "store is null");
        this.proofs = new ProofBuilder(store.audit().hashes());
        this.check = new ServedProofCheck(store);
        this.verifierKey = requireNonNull(verifierKey, "verifierKey is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/audit/checkpoint", this::checkpoint, Access.ANYONE);
        routes.get(
                "/v1/audit/key",
                ctx -> ctx.contentType("text/plain; charset=utf-8").result(verifierKey.format()),
                Access.ANYONE);
        if (publicEntries) {
            routes.get("/v1/audit/entries", this::entries, Access.ANYONE);
        } else {
            routes.get("/v1/audit/entries", this::entries, Access.AUDITOR, Access.ADMIN);
        }
        routes.get("/v1/audit/proof/inclusion", this::inclusion, Access.ANYONE);
        routes.get("/v1/audit/proof/consistency", this::consistency, Access.ANYONE);
    }

    private void checkpoint(Context ctx) {
        StoredCheckpoint latest = store.audit()
                .latestCheckpoint()
                .orElseThrow(() -> new ApiProblem(
                        503,
                        "no-checkpoint",
                        "No checkpoint yet",
                        "the log has no signed checkpoint yet; retry in a second"));
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("text/plain; charset=utf-8").result(latest.note());
    }

    private void entries(Context ctx) {
        long size = store.auditSize();
        long start = longParam(ctx, "start", 0);
        long end = longParam(ctx, "end", Math.min(size, start + MAX_ENTRIES_PER_CALL));
        if (start < 0 || end < start) {
            throw ApiProblem.badRequest("want 0 <= start <= end, got start=" + start + " end=" + end);
        }
        if (end > size) {
            throw ApiProblem.badRequest("end=" + end + " is past the log's size " + size);
        }
        if (end - start > MAX_ENTRIES_PER_CALL) {
            throw ApiProblem.badRequest(
                    "at most " + MAX_ENTRIES_PER_CALL + " entries per call, asked for " + (end - start));
        }
        List<byte[]> leaves = leaves(start, end);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] leaf : leaves) {
            body.writeBytes(leaf);
            body.write('\n');
        }
        ctx.header("X-Audit-Size", Long.toString(size));
        ctx.contentType("application/x-ndjson").result(body.toByteArray());
    }

    /**
     * The entries [start, end). When some are missing (the database was changed behind the
     * gateway's back) the ones stored are served as they are, each carrying its own seq, so
     * that a verifier names the first missing entry instead of seeing the server fail.
     */
    private List<byte[]> leaves(long start, long end) {
        try {
            return store.auditLeaves(start, end);
        } catch (StoreUnavailableException e) {
            throw e;
        } catch (StoreException e) {
            LOG.error("reading audit entries [{}, {}) failed; serving them as stored: {}", start, end, e.getMessage());
            List<byte[]> stored = new ArrayList<>();
            try {
                store.audit().scanEntries(start, (seq, leaf) -> {
                    if (seq >= end) {
                        throw new EndOfRange();
                    }
                    stored.add(leaf);
                });
            } catch (EndOfRange reached) {
                // the rest is past the page
            } catch (IOException impossible) {
                throw new IllegalStateException("the entry list threw " + impossible, impossible);
            }
            return stored;
        }
    }

    /** Ends a scan at the page's end; carries no stack trace. */
    private static final class EndOfRange extends IOException {
        EndOfRange() {
            super("end of range", null);
            setStackTrace(new StackTraceElement[0]);
        }
    }

    private void inclusion(Context ctx) {
        long index = requiredLong(ctx, "index");
        long size = sizeParam(ctx, "size");
        if (index < 0 || index >= size) {
            throw ApiProblem.badRequest("want 0 <= index < size, got index=" + index + " size=" + size);
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("index", index);
        body.put("size", size);
        hashes(body, check.inclusion(proofs.inclusion(index, size)).hashes());
        json(ctx, body);
    }

    private void consistency(Context ctx) {
        long from = requiredLong(ctx, "from");
        long to = sizeParam(ctx, "to");
        if (from < 0 || from > to) {
            throw ApiProblem.badRequest("want 0 <= from <= to, got from=" + from + " to=" + to);
        }
        if (from == 0 && to > 0) {
            throw ApiProblem.badRequest("from=0: every tree extends the empty tree, there is nothing to prove");
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("from", from);
        body.put("to", to);
        hashes(body, check.consistency(proofs.consistency(from, to)).hashes());
        json(ctx, body);
    }

    /** A tree size: by default the latest checkpoint's; never beyond the stored tree. */
    private long sizeParam(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        long size = raw == null || raw.isEmpty()
                ? store.audit().latestCheckpoint().map(StoredCheckpoint::size).orElse(0L)
                : parseLong(name, raw);
        long treeSize = store.audit().treeSize();
        if (size < 0 || size > treeSize) {
            throw ApiProblem.badRequest(
                    name + "=" + size + " is not a size of this log, which has " + treeSize + " entries");
        }
        return size;
    }

    private static void hashes(ObjectNode body, List<byte[]> hashes) {
        ArrayNode array = body.putArray("hashes");
        hashes.forEach(hash -> array.add(Base64.getEncoder().encodeToString(hash)));
    }

    private void json(Context ctx, ObjectNode body) {
        ctx.contentType("application/json").result(mapper.writeValueAsBytes(body));
    }

    private static long requiredLong(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            throw ApiProblem.badRequest("query parameter '" + name + "' is required");
        }
        return parseLong(name, raw);
    }

    private static long longParam(Context ctx, String name, long fallback) {
        String raw = ctx.queryParam(name);
        return raw == null || raw.isEmpty() ? fallback : parseLong(name, raw);
    }

    private static long parseLong(String name, String raw) {
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest(name + " must be a whole number, got '" + raw + "'");
        }
    }
}
