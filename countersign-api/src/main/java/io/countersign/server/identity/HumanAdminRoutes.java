package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Secret;
import io.countersign.identity.StoredCredential;
import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.Authentication;
import io.countersign.server.http.WireObject;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The admin API for local humans, open to the admin role only: list, create, read, revoke, change groups. */
public final class HumanAdminRoutes {
    private final HumanAdmin humans;
    private final JsonMapper mapper;
    private final Clock clock;

    public HumanAdminRoutes(HumanAdmin humans, JsonMapper mapper, Clock clock) {
        this.humans = requireNonNull(humans, "humans is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/admin/humans", this::list, Access.ADMIN);
        routes.post("/v1/admin/humans", this::create, Access.ADMIN);
        routes.get("/v1/admin/humans/{name}", this::read, Access.ADMIN);
        routes.post("/v1/admin/humans/{name}/revoke", this::revoke, Access.ADMIN);
        routes.put("/v1/admin/humans/{name}/groups", this::changeGroups, Access.ADMIN);
    }

    private void list(Context ctx) {
        ObjectNode body = mapper.createObjectNode();
        ArrayNode items = body.putArray("items");
        humans.list().forEach(human -> items.add(render(human)));
        ctx.json(body);
    }

    private void read(Context ctx) {
        ctx.json(render(humans.find(ctx.pathParam("name"))
                .orElseThrow(() -> ApiProblem.notFound("no human '" + ctx.pathParam("name") + "'"))));
    }

    private void create(Context ctx) {
        WireObject body = WireObject.parse(
                mapper, ctx.bodyAsBytes(), Set.of("name", "email", "groups", "roles", "expiresIn"), false);
        String name = body.requiredString("name");
        String email = body.requiredString("email");
        Set<String> groups = new LinkedHashSet<>(body.optionalStrings("groups").orElse(List.of()));
        Set<String> roles = new LinkedHashSet<>(body.optionalStrings("roles").orElse(List.of()));
        Optional<Instant> expiresAt =
                body.optionalString("expiresIn").map(text -> clock.instant().plus(AdminRoutes.duration(text)));
        Secret token;
        try {
            token = humans.create(
                    name,
                    email,
                    groups,
                    roles,
                    expiresAt,
                    Authentication.principal(ctx).auditName());
        } catch (IllegalArgumentException e) {
            String detail = java.util.Objects.requireNonNullElse(e.getMessage(), "no detail");
            throw detail.contains("already exists")
                    ? new ApiProblem(409, "conflict", "Conflict", detail)
                    : ApiProblem.badRequest(detail);
        }
        ObjectNode answer = render(humans.find(name).orElseThrow());
        answer.put("token", token.reveal());
        ctx.status(201).json(answer);
    }

    private void revoke(Context ctx) {
        WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of(), true);
        String name = ctx.pathParam("name");
        int revoked =
                call(() -> humans.revoke(name, Authentication.principal(ctx).auditName()));
        ObjectNode answer = render(humans.find(name).orElseThrow());
        answer.put("revokedTokens", revoked);
        ctx.json(answer);
    }

    private void changeGroups(Context ctx) {
        WireObject body = WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of("groups", "roles"), false);
        Set<String> groups = new LinkedHashSet<>(body.optionalStrings("groups")
                .orElseThrow(() -> ApiProblem.badRequest("groups is required (an array, maybe empty)")));
        Set<String> roles = new LinkedHashSet<>(body.optionalStrings("roles").orElse(List.of()));
        ctx.json(render(call(() -> humans.changeGroups(
                ctx.pathParam("name"),
                groups,
                roles,
                Authentication.principal(ctx).auditName()))));
    }

    private ObjectNode render(HumanAdmin.HumanView human) {
        ObjectNode json = mapper.createObjectNode();
        json.put("name", human.name());
        json.put("email", human.email());
        ArrayNode groups = json.putArray("groups");
        human.groups().stream().sorted().forEach(groups::add);
        ArrayNode roles = json.putArray("roles");
        human.roles().stream().sorted().forEach(roles::add);
        json.put("active", human.activeAt(clock.instant()));
        ArrayNode tokens = json.putArray("tokens");
        for (StoredCredential token : human.tokens()) {
            ObjectNode item = tokens.addObject();
            item.put("id", token.tokenId());
            item.put("createdAt", token.createdAt().toString());
            token.expiresAt().ifPresent(at -> item.put("expiresAt", at.toString()));
            token.revokedAt().ifPresent(at -> item.put("revokedAt", at.toString()));
            token.lastUsedAt().ifPresent(at -> item.put("lastUsedAt", at.toString()));
        }
        return json;
    }

    private static <T> T call(Supplier<T> change) {
        try {
            return change.get();
        } catch (HumanAdmin.UnknownHuman e) {
            throw ApiProblem.notFound(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(
                    409, "conflict", "Conflict", java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
    }
}
