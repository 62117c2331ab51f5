package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Scopes;
import io.countersign.identity.Secret;
import io.countersign.identity.StoredCredential;
import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.Authentication;
import io.countersign.server.http.WireObject;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.KillSwitch;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The admin API for agents, open to the admin role only: list, create, revoke, suspend, resume. */
public final class AdminRoutes {
    private final AgentAdmin agents;
    private final JsonMapper mapper;
    private final Clock clock;

    public AdminRoutes(AgentAdmin agents, JsonMapper mapper, Clock clock) {
        this.agents = requireNonNull(agents, "agents is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/admin/agents", this::list, Access.ADMIN);
        routes.post("/v1/admin/agents", this::create, Access.ADMIN);
        routes.get("/v1/admin/agents/{name}", this::read, Access.ADMIN);
        routes.post("/v1/admin/agents/{name}/revoke", this::revoke, Access.ADMIN);
        routes.post("/v1/admin/agents/{name}/suspend", this::suspend, Access.ADMIN);
        routes.post("/v1/admin/agents/{name}/resume", this::resume, Access.ADMIN);
    }

    private void list(Context ctx) {
        ObjectNode body = mapper.createObjectNode();
        ArrayNode items = body.putArray("items");
        agents.list().forEach(agent -> items.add(render(agent)));
        ctx.json(body);
    }

    private void read(Context ctx) {
        ctx.json(render(agents.find(ctx.pathParam("name"))
                .orElseThrow(() -> ApiProblem.notFound("no agent '" + ctx.pathParam("name") + "'"))));
    }

    /** The SSH gateway reads an agent's public key from this label of its credential (AgentSshKeys in the server). */
    static final String SSH_KEY_LABEL = "ssh.publicKey";

    private static final java.util.regex.Pattern SSH_KEY_LINE = java.util.regex.Pattern.compile(
            "(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) ([A-Za-z0-9+/]{40,}={0,2})( [^\\r\\n]*)?");

    /** {@code type base64} of an OpenSSH public key line; the gateway parses the key itself at login. */
    private static String sshPublicKey(String line) {
        java.util.regex.Matcher matcher = SSH_KEY_LINE.matcher(line.strip());
        if (!matcher.matches()) {
            throw ApiProblem.badRequest(
                    "sshPublicKey must be one OpenSSH public key line: ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256/384/521, then base64");
        }
        return matcher.group(1) + " " + matcher.group(3);
    }

    private void create(Context ctx) {
        WireObject body = WireObject.parse(
                mapper, ctx.bodyAsBytes(), Set.of("name", "labels", "scopes", "expiresIn", "sshPublicKey"), false);
        String name = body.requiredString("name");
        Map<String, String> labels = new LinkedHashMap<>();
        body.optionalObject("labels").ifPresent(node -> node.properties().forEach(entry -> {
            if (!entry.getValue().isString()) {
                throw ApiProblem.badRequest("label '" + entry.getKey() + "' must be a string");
            }
            labels.put(entry.getKey(), entry.getValue().stringValue());
        }));
        if (labels.containsKey(SSH_KEY_LABEL)) {
            throw ApiProblem.badRequest("label '" + SSH_KEY_LABEL + "' is reserved; send the key as sshPublicKey");
        }
        body.optionalString("sshPublicKey").ifPresent(line -> labels.put(SSH_KEY_LABEL, sshPublicKey(line)));
        Optional<Instant> expiresAt =
                body.optionalString("expiresIn").map(text -> clock.instant().plus(duration(text)));
        Secret key;
        try {
            Scopes scopes = body.optionalStrings("scopes").map(Scopes::of).orElse(Scopes.UNRESTRICTED);
            key = agents.create(
                    name,
                    labels,
                    scopes,
                    expiresAt,
                    Authentication.principal(ctx).auditName());
        } catch (IllegalArgumentException e) {
            String detail = java.util.Objects.requireNonNullElse(e.getMessage(), "no detail");
            throw detail.contains("already exists")
                    ? new ApiProblem(409, "conflict", "Conflict", detail)
                    : ApiProblem.badRequest(detail);
        }
        ObjectNode answer = render(agents.find(name).orElseThrow());
        answer.put("key", key.reveal());
        ctx.status(201).json(answer);
    }

    private void revoke(Context ctx) {
        String name = ctx.pathParam("name");
        WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of(), true);
        int revoked =
                call(() -> agents.revoke(name, Authentication.principal(ctx).auditName()));
        ObjectNode answer = render(agents.find(name).orElseThrow());
        answer.put("revokedKeys", revoked);
        ctx.json(answer);
    }

    private void suspend(Context ctx) {
        String name = ctx.pathParam("name");
        WireObject body = WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of("reason"), true);
        String reason = body.optionalString("reason").filter(r -> !r.isBlank()).orElse(KillSwitch.REASON);
        KillSwitch.Suspended suspended =
                call(() -> agents.suspend(name, Authentication.principal(ctx).auditName(), reason));
        ObjectNode answer = render(agents.find(name).orElseThrow());
        ArrayNode denied = answer.putArray("deniedRequests");
        suspended.denied().stream().map(ApprovalRequest::id).forEach(id -> denied.add(id.value()));
        ctx.json(answer);
    }

    private void resume(Context ctx) {
        String name = ctx.pathParam("name");
        WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of(), true);
        boolean resumed =
                call(() -> agents.resume(name, Authentication.principal(ctx).auditName()));
        ObjectNode answer = render(agents.find(name).orElseThrow());
        answer.put("resumed", resumed);
        ctx.json(answer);
    }

    private ObjectNode render(AgentAdmin.AgentView agent) {
        ObjectNode json = mapper.createObjectNode();
        json.put("name", agent.name());
        ObjectNode labels = json.putObject("labels");
        new java.util.TreeMap<>(agent.labels()).forEach(labels::put);
        json.put("source", agent.source());
        agent.clientId().ifPresent(id -> json.put("clientId", id));
        if (agent.source().equals("oidc-client")) {
            agent.clientScopes().texts().ifPresent(texts -> scopes(json, texts));
        }
        ArrayNode keys = json.putArray("keys");
        for (StoredCredential key : agent.keys()) {
            ObjectNode item = keys.addObject();
            item.put("id", key.tokenId());
            item.put("createdAt", key.createdAt().toString());
            key.expiresAt().ifPresent(at -> item.put("expiresAt", at.toString()));
            key.revokedAt().ifPresent(at -> item.put("revokedAt", at.toString()));
            key.lastUsedAt().ifPresent(at -> item.put("lastUsedAt", at.toString()));
            key.scopes().texts().ifPresent(texts -> scopes(item, texts));
        }
        agent.suspension()
                .ifPresentOrElse(
                        suspension -> {
                            ObjectNode item = json.putObject("suspended");
                            item.put("at", suspension.at().toString());
                            item.put("by", suspension.by());
                            item.put("reason", suspension.reason());
                        },
                        () -> json.putNull("suspended"));
        return json;
    }

    private static void scopes(ObjectNode json, java.util.List<String> texts) {
        ArrayNode array = json.putArray("scopes");
        texts.forEach(array::add);
    }

    private static <T> T call(java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (AgentAdmin.UnknownAgent e) {
            throw ApiProblem.notFound(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(
                    409, "conflict", "Conflict", java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
    }

    /** 90s, 30m, 12h, 30d: how long a new key lives. */
    static Duration duration(String text) {
        try {
            java.util.regex.Matcher matcher =
                    java.util.regex.Pattern.compile("(\\d{1,6})([smhd])").matcher(text.trim());
            if (!matcher.matches()) {
                throw new DateTimeParseException("not a duration", text, 0);
            }
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("expiresIn must look like 90s, 30m, 12h or 30d, got '" + text + "'");
        }
    }
}
