package io.countersign.server.evidence;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.store.GatewayStore;
import io.countersign.tlog.note.NoteVerifier;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v1/evidence?from=&to=}: the evidence package of a period, for auditors and admins,
 * as {@code application/zip}. The log is checkpointed first, so the package covers everything
 * recorded up to the call.
 */
public final class EvidenceRoutes {
    private final EvidenceExporter exporter;
    private final Runnable checkpointNow;

    public EvidenceRoutes(GatewayStore store, NoteVerifier key, Runnable checkpointNow, JsonMapper mapper) {
        this.exporter = new EvidenceExporter(store, key, mapper);
        this.checkpointNow = requireNonNull(checkpointNow, "checkpointNow is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/evidence", this::export, Access.AUDITOR, Access.ADMIN);
    }

    private void export(Context ctx) {
        String from = ctx.queryParam("from");
        String to = ctx.queryParam("to");
        if (from == null || from.isBlank() || to == null || to.isBlank()) {
            throw ApiProblem.badRequest("query parameters 'from' and 'to' are required: dates (2026-10-01) or instants (2026-10-01T09:30:00Z)");
        }
        EvidencePeriod period;
        try {
            period = EvidencePeriod.parse(from, to);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(e.getMessage());
        }
        checkpointNow.run();
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try {
            exporter.export(period, zip);
        } catch (EvidenceExporter.NotExportable e) {
            throw new ApiProblem(503, "no-checkpoint", "The log can't back an evidence package yet", e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.header("Content-Disposition", "attachment; filename=\"countersign-evidence-" + period.from().toString().replace(':', '-') + ".zip\"");
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/zip").result(zip.toByteArray());
    }
}
