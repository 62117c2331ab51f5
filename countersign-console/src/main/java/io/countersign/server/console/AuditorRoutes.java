package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.policy.Decision;
import io.countersign.policy.Policy;
import io.countersign.policy.RuleExpiries;
import io.countersign.server.audit.verify.AuditSource;
import io.countersign.server.audit.verify.DataFolderSource;
import io.countersign.server.audit.verify.ExportFile;
import io.countersign.server.http.Access;
import io.countersign.store.GatewayStore;
import io.countersign.store.StoredCheckpoint;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.CheckpointException;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteException;
import io.countersign.tlog.note.NoteVerifier;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What auditors read: the audit log a page at a time with its latest checkpoint verified by the
 * server's own key, an export that {@code countersign audit verify --export} takes offline, and
 * the active policy with a form to simulate an action against it (nothing is recorded).
 */
final class AuditorRoutes {
    static final int PAGE = 50;
    private static final int CHUNK = 500;
    private static final int SCAN_LIMIT = 20_000;
    private static final int HISTORY = 10;

    private final GatewayStore store;
    private final NoteVerifier auditKey;
    private final Supplier<Policy> policy;
    private final Supplier<String> loopbackUrl;
    private final io.countersign.workflow.Workflow workflow;
    private final JsonMapper mapper;
    private final Views views;
    private final Clock clock;

    AuditorRoutes(
            GatewayStore store,
            NoteVerifier auditKey,
            Supplier<Policy> policy,
            Supplier<String> loopbackUrl,
            io.countersign.workflow.Workflow workflow,
            JsonMapper mapper,
            Views views,
            Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.auditKey = requireNonNull(auditKey, "auditKey is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.loopbackUrl = requireNonNull(loopbackUrl, "loopbackUrl is null");
        this.workflow = requireNonNull(workflow, "workflow is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.views = requireNonNull(views, "views is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void register(RoutesConfig routes) {
        // The entries carry parameters, comments and emails: for auditors and admins, as GET /v1/audit/entries is.
        routes.get("/console/audit", this::audit, Access.AUDITOR, Access.ADMIN);
        routes.get("/console/audit/export", this::export, Access.AUDITOR, Access.ADMIN);
        routes.get("/console/policy", ctx -> policyPage(ctx, Optional.empty()), Access.HUMAN);
        routes.post("/console/policy/simulate", this::simulate, Access.HUMAN);
    }

    /**
     * A page of entries, newest first, ending before {@code before}. With filters, reads backwards
     * in chunks until a page is full or {@link #SCAN_LIMIT} entries were read, so one view stays
     * bounded however long the log; "older" continues where the scan stopped.
     */
    private void audit(Context ctx) {
        long size = store.auditSize();
        long before = Math.min(size, Math.max(0, longParam(ctx, "before", size)));
        String type = query(ctx, "type");
        String actor = query(ctx, "actor");
        String request = query(ctx, "request");
        Scan scan = scan(
                before,
                PAGE,
                line -> line.type().startsWith(type)
                        && line.actor().contains(actor)
                        && line.request().contains(request));
        views.page(
                ctx,
                200,
                "audit",
                new Pages.Audit(
                        viewer(ctx),
                        size,
                        checkpoint(),
                        scan.lines(),
                        type,
                        actor,
                        request,
                        before,
                        scan.cursor(),
                        Math.min(size, before + PAGE)));
    }

    private record Scan(List<Pages.AuditLine> lines, long cursor) {}

    private Scan scan(long before, int want, java.util.function.Predicate<Pages.AuditLine> keep) {
        List<Pages.AuditLine> lines = new ArrayList<>();
        long cursor = before;
        while (cursor > 0 && lines.size() < want && before - cursor < SCAN_LIMIT) {
            long start = Math.max(0, cursor - CHUNK);
            List<byte[]> leaves = store.auditLeaves(start, cursor);
            int i = leaves.size() - 1;
            for (; i >= 0 && lines.size() < want; i--) {
                Pages.AuditLine line = line(start + i, leaves.get(i));
                if (keep.test(line)) {
                    lines.add(line);
                }
            }
            cursor = start + i + 1;
        }
        return new Scan(lines, cursor);
    }

    private static String query(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).map(String::strip).orElse("");
    }

    private Pages.AuditLine line(long seq, byte[] leaf) {
        try {
            JsonNode entry = mapper.readTree(leaf);
            ObjectNode rest = entry.isObject() ? ((ObjectNode) entry).deepCopy() : mapper.createObjectNode();
            for (String known : List.of("seq", "time", "type", "actor", "request", "requestId")) {
                rest.remove(known);
            }
            String request = entry.path("request").isString()
                    ? entry.path("request").asString()
                    : entry.path("requestId").asString("");
            return new Pages.AuditLine(
                    seq,
                    entry.path("time").asString(""),
                    entry.path("type").asString(""),
                    entry.path("actor").asString(""),
                    request,
                    rest.isEmpty() ? "" : rest.toString());
        } catch (JacksonException e) {
            return new Pages.AuditLine(
                    seq, "", "unreadable", "", "", "entry " + seq + " is not JSON: " + e.getOriginalMessage());
        }
    }

    /** The newest stored checkpoint, checked with the server's own verifier key, as any auditor would. */
    private Pages.@Nullable Checkpoint checkpoint() {
        Optional<StoredCheckpoint> latest = store.audit().latestCheckpoint();
        if (latest.isEmpty()) {
            return null;
        }
        String note = latest.get().note();
        try {
            Checkpoint opened = SignedCheckpoint.open(note, auditKey);
            return new Pages.Checkpoint(
                    opened.size(),
                    Base64.getEncoder().encodeToString(opened.rootHash()),
                    opened.origin(),
                    auditKey.format(),
                    true,
                    "signature verified with " + auditKey.name() + " (key id " + String.format("%08x", auditKey.keyId())
                            + ")",
                    note);
        } catch (NoteException | CheckpointException e) {
            return new Pages.Checkpoint(
                    latest.get().size(),
                    Base64.getEncoder().encodeToString(latest.get().root()),
                    "",
                    auditKey.format(),
                    false,
                    "does NOT verify: " + e.getMessage(),
                    note);
        }
    }

    /** The same export file as {@code countersign audit export}, read from this server's store (entries are not public). */
    private void export(Context ctx) throws IOException {
        Path file = Files.createTempFile("countersign-audit-", ".export");
        try {
            ExportFile.Written written;
            try (AuditSource source = DataFolderSource.live(store)) {
                written = ExportFile.write(source, auditKey, file);
            } catch (AuditSource.SourceException e) {
                throw new IOException("the export could not be written: " + e.getMessage(), e);
            }
            ctx.contentType("application/octet-stream");
            ctx.header(
                    "Content-Disposition",
                    "attachment; filename=\"countersign-audit-"
                            + written.checkpoint().size() + ".export\"");
            ctx.header("Cache-Control", "no-store");
            try (InputStream in = Files.newInputStream(file)) {
                ctx.result(in.readAllBytes());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private void policyPage(Context ctx, Optional<Pages.Policy> filled) {
        views.page(ctx, filled.map(p -> p.error() == null ? 200 : 422).orElse(200), "policy", filled.orElseGet(() -> {
            Policy active = policy.get();
            return new Pages.Policy(
                    viewer(ctx),
                    active.fileName(),
                    active.version(),
                    active.source(),
                    history(),
                    store.trippedBreakers(),
                    "",
                    "",
                    "",
                    "{}",
                    "",
                    null,
                    null,
                    expiring(active));
        }));
    }

    private void simulate(Context ctx) {
        Policy active = policy.get();
        String action = form(ctx, "action");
        String resource = form(ctx, "resource");
        String agent = form(ctx, "agent").isEmpty() ? "simulated-agent" : form(ctx, "agent");
        String params = form(ctx, "params").isEmpty() ? "{}" : form(ctx, "params");
        String onBehalfOf = form(ctx, "onBehalfOf");
        Pages.Simulation result = null;
        String error = null;
        try {
            JsonNode parsed = mapper.readTree(params);
            if (!parsed.isObject()) {
                throw new IllegalArgumentException("params must be a JSON object");
            }
            Decision decision = workflow.simulate(
                    new Agent(agent, Map.of()),
                    new Action(
                            action,
                            resource,
                            (ObjectNode) parsed,
                            "simulated in the console",
                            onBehalfOf.isEmpty() ? Optional.empty() : Optional.of(onBehalfOf)));
            result = new Pages.Simulation(
                    decision.effect().wireName(),
                    decision.rules().isEmpty() ? "(no rule matched: the default)" : String.join(", ", decision.rules()),
                    decision.reason());
        } catch (JacksonException e) {
            error = "params are not JSON: " + e.getOriginalMessage();
        } catch (IllegalArgumentException e) {
            error = e.getMessage();
        }
        policyPage(
                ctx,
                Optional.of(new Pages.Policy(
                        viewer(ctx),
                        active.fileName(),
                        active.version(),
                        active.source(),
                        history(),
                        store.trippedBreakers(),
                        action,
                        resource,
                        agent,
                        params,
                        onBehalfOf,
                        result,
                        error,
                        expiring(active))));
    }

    /** The rules expired or expiring within a week, described for the page: by the gateway's clock, as the gate decides. */
    private List<String> expiring(Policy active) {
        Instant now = clock.instant();
        return RuleExpiries.of(active, now, RuleExpiries.SOON).stream()
                .map(expiry -> expiry.describe(now))
                .toList();
    }

    /** The latest policy loads and rejected files, from the audit log (a bounded scan back from its end). */
    private List<Pages.AuditLine> history() {
        return scan(store.auditSize(), HISTORY, line -> line.type().startsWith("policy."))
                .lines();
    }

    private static String form(Context ctx, String name) {
        return Optional.ofNullable(ctx.formParam(name)).map(String::strip).orElse("");
    }

    private static long longParam(Context ctx, String name, long fallback) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static Pages.Viewer viewer(Context ctx) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        return new Pages.Viewer(session.caller().principal().name(), session.csrfToken());
    }
}
