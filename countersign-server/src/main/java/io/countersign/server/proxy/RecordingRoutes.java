package io.countersign.server.proxy;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Execution;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.Workflow;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The SSH gateway's shell recordings from the console, for auditors and admins (they hold what
 * the agent typed and saw, as the audit log's entries do): {@code /console/requests/{id}/recording}
 * is a plain-text view and {@code .../recording.cast} the asciicast v2 file itself. The file is
 * the one the request's execution record names, in the data folder's {@code ssh-recordings}, and
 * both say whether it still has the SHA-256 the audit log holds.
 */
public final class RecordingRoutes {
    /** What {@code Recording.describe} writes into the shell's execution record. */
    private static final Pattern RECORDED =
            Pattern.compile("recording ([A-Za-z0-9._-]{1,200}\\.cast) (\\d{1,19}) bytes sha256 ([0-9a-f]{64})");

    private final Workflow workflow;
    private final Path folder;
    private final JsonMapper mapper;

    public RecordingRoutes(Workflow workflow, Path folder, JsonMapper mapper) {
        this.workflow = requireNonNull(workflow, "workflow is null");
        this.folder = requireNonNull(folder, "folder is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/console/requests/{id}/recording", this::text, Access.AUDITOR, Access.ADMIN);
        routes.get("/console/requests/{id}/recording.cast", this::download, Access.AUDITOR, Access.ADMIN);
    }

    /** The recording an execution record names, when it has one. */
    record Recorded(String file, long size, String sha256) {
        static Optional<Recorded> in(ApprovalRequest request) {
            Optional<String> detail = request.execution().flatMap(Execution::detail);
            if (!request.action().action().equals("ssh.shell") || detail.isEmpty()) {
                return Optional.empty();
            }
            Matcher matcher = RECORDED.matcher(detail.get());
            if (!matcher.find() || matcher.group(1).startsWith(".")) {
                return Optional.empty();
            }
            return Optional.of(new Recorded(matcher.group(1), Long.parseLong(matcher.group(2)), matcher.group(3)));
        }
    }

    private record Loaded(Recorded recorded, byte[] bytes, boolean matches) {}

    private Loaded load(Context ctx) {
        String id = ctx.pathParam("id");
        if (!RequestId.isValid(id)) {
            throw ApiProblem.notFound("no request " + id);
        }
        ApprovalRequest request =
                workflow.find(new RequestId(id)).orElseThrow(() -> ApiProblem.notFound("no request " + id));
        Recorded recorded = Recorded.in(request)
                .orElseThrow(() -> ApiProblem.notFound("request " + id + " has no shell recording"));
        Path file = folder.resolve(recorded.file()).normalize();
        if (!folder.normalize().equals(file.getParent()) || !Files.isRegularFile(file)) {
            throw ApiProblem.notFound("the recording " + recorded.file() + " of request " + id
                    + " is not in the data folder's ssh-recordings any more");
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            boolean matches = bytes.length == recorded.size()
                    && HexFormat.of().formatHex(sha256(bytes)).equals(recorded.sha256());
            return new Loaded(recorded, bytes, matches);
        } catch (IOException e) {
            throw new ApiProblem(
                    404, "not-found", "Not found", "the recording of request " + id + " could not be read");
        }
    }

    private void download(Context ctx) {
        Loaded loaded = load(ctx);
        ctx.header(
                "Content-Disposition",
                "attachment; filename=\"" + loaded.recorded().file() + "\"");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "no-store");
        ctx.header("Countersign-Recording-Matches-Audit", Boolean.toString(loaded.matches()));
        ctx.contentType("application/x-asciicast").result(loaded.bytes());
    }

    private void text(Context ctx) {
        Loaded loaded = load(ctx);
        StringBuilder text = new StringBuilder();
        text.append("Recording ")
                .append(loaded.recorded().file())
                .append(" of request ")
                .append(ctx.pathParam("id"))
                .append('\n');
        text.append(
                loaded.matches()
                        ? "Its SHA-256 is the one in the audit log: "
                                + loaded.recorded().sha256()
                        : "WARNING: it no longer matches the audit log (want "
                                + loaded.recorded().sha256() + ", "
                                + loaded.recorded().size() + " bytes; the file has " + loaded.bytes().length
                                + " bytes)");
        text.append("\nControl characters are shown escaped (ESC as \\e); lines are the terminal's output.\n\n");
        text.append(TerminalText.transcript(mapper, loaded.bytes()));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Security-Policy", "default-src 'none'; sandbox");
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("text/plain; charset=utf-8").result(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** An asciicast as text a person reads safely: every control character escaped, never sent raw. */
    static final class TerminalText {
        private TerminalText() {}

        static String transcript(JsonMapper mapper, byte[] cast) {
            StringBuilder out = new StringBuilder();
            String[] lines = new String(cast, StandardCharsets.UTF_8).split("\n", -1);
            for (int i = 1; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                try {
                    JsonNode event = mapper.readTree(lines[i]);
                    String kind = event.path(1).asString("");
                    String data = event.path(2).asString("");
                    String at = String.format(
                            java.util.Locale.ROOT, "%9.3f", event.path(0).asDouble(0));
                    switch (kind) {
                        case "o" ->
                            out.append(at)
                                    .append("  out  ")
                                    .append(escape(data))
                                    .append('\n');
                        case "i" ->
                            out.append(at)
                                    .append("  in   ")
                                    .append(escape(data))
                                    .append('\n');
                        case "r" ->
                            out.append(at)
                                    .append("  size ")
                                    .append(escape(data))
                                    .append('\n');
                        default ->
                            out.append(at)
                                    .append("  ")
                                    .append(escape(kind))
                                    .append(' ')
                                    .append(escape(data))
                                    .append('\n');
                    }
                } catch (JacksonException e) {
                    out.append("(line ").append(i + 1).append(" is not an asciicast event)\n");
                }
            }
            return out.toString();
        }

        /** Printable text as it is; CR and LF as {@code \r} {@code \n}; every other control character as an escape. */
        static String escape(String data) {
            StringBuilder escaped = new StringBuilder(data.length());
            data.codePoints().forEach(c -> {
                switch (c) {
                    case '\n' -> escaped.append("\\n");
                    case '\r' -> escaped.append("\\r");
                    case '\t' -> escaped.append("\\t");
                    case 0x1b -> escaped.append("\\e");
                    case '\\' -> escaped.append("\\\\");
                    default -> {
                        int type = Character.getType(c);
                        boolean control = type == Character.CONTROL
                                || type == Character.FORMAT
                                || type == Character.LINE_SEPARATOR
                                || type == Character.PARAGRAPH_SEPARATOR
                                || type == Character.SURROGATE
                                || type == Character.PRIVATE_USE
                                || type == Character.UNASSIGNED;
                        if (control) {
                            escaped.append(String.format(java.util.Locale.ROOT, "\\u{%x}", c));
                        } else {
                            escaped.appendCodePoint(c);
                        }
                    }
                }
            });
            return escaped.toString();
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
