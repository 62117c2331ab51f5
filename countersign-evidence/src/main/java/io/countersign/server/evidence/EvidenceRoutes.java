package io.countersign.server.evidence;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.Authentication;
import io.countersign.store.GatewayStore;
import io.countersign.tlog.note.NoteVerifier;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v1/evidence?from=&to=}: the evidence package of a period, for auditors and admins,
 * as {@code application/zip}. The log is checkpointed first, so the package covers everything
 * recorded up to the call; the export itself is then recorded ({@code evidence.exported}).
 */
public final class EvidenceRoutes {
    private final GatewayStore store;
    private final EvidenceExporter exporter;
    private final Runnable checkpointNow;
    private final Clock clock;

    public EvidenceRoutes(
            GatewayStore store, NoteVerifier key, Runnable checkpointNow, Clock clock, JsonMapper mapper) {
        this.store = requireNonNull(store, "store is null");
        this.exporter = new EvidenceExporter(store, key, mapper);
        this.checkpointNow = requireNonNull(checkpointNow, "checkpointNow is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/evidence", this::export, Access.AUDITOR, Access.ADMIN);
        // The same export for a signed-in console session (the console's audit and admin pages link here).
        routes.get("/console/evidence", this::export, Access.AUDITOR, Access.ADMIN);
    }

    private void export(Context ctx) {
        String from = ctx.queryParam("from");
        String to = ctx.queryParam("to");
        if (from == null || from.isBlank() || to == null || to.isBlank()) {
            throw ApiProblem.badRequest(
                    "query parameters 'from' and 'to' are required: dates (2026-10-01) or instants (2026-10-01T09:30:00Z)");
        }
        EvidencePeriod period;
        try {
            period = EvidencePeriod.parse(from, to);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
        checkpointNow.run();
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        EvidenceExporter.Exported exported;
        try {
            exported = exporter.export(period, zip);
        } catch (EvidenceExporter.NotExportable e) {
            throw new ApiProblem(
                    503,
                    "no-checkpoint",
                    "The log can't back an evidence package yet",
                    java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EvidenceExports.record(
                store,
                clock,
                Authentication.caller(ctx).principal().auditName(),
                ctx.path().startsWith("/console") ? "console" : "api",
                period,
                exported);
        ctx.header(
                "Content-Disposition",
                "attachment; filename=\"countersign-evidence-"
                        + period.from().toString().replace(':', '-') + ".zip\"");
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/zip").result(zip.toByteArray());
    }
}
