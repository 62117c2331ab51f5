package io.countersign.server.teams;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.WireText;
import io.countersign.server.identity.TokenRejected;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /integrations/teams/messages}, the bot's messaging endpoint. Open to anyone at the
 * route level because it authenticates every call itself: the Bot Connector's JWT
 * ({@link ConnectorTokenVerifier}), then the token's {@code serviceurl} against the activity's. A
 * missing or bad token is a 401 before the body is even parsed. Card clicks
 * ({@code invoke} named {@code adaptiveCard/action}) go to {@link CardActions}; every other
 * activity (messages, installs, conversation updates) is acknowledged and ignored.
 */
final class TeamsRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(TeamsRoutes.class);
    static final String PATH = "/integrations/teams/messages";

    private final ConnectorTokenVerifier verifier;
    private final CardActions actions;
    private final JsonMapper mapper;

    TeamsRoutes(ConnectorTokenVerifier verifier, CardActions actions, JsonMapper mapper) {
        this.verifier = requireNonNull(verifier, "verifier is null");
        this.actions = requireNonNull(actions, "actions is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    void register(RoutesConfig routes) {
        routes.post(PATH, this::messages, Access.ANYONE);
    }

    private void messages(Context ctx) {
        JWTClaimsSet claims;
        try {
            claims = verifier.verify(ctx.header("Authorization"));
        } catch (TokenRejected e) {
            LOG.info("teams: refused a call to {}: {}", PATH, e.getMessage());
            throw ApiProblem.unauthorized(e.getMessage());
        }
        JsonNode activity;
        try {
            activity = mapper.readTree(ctx.body());
        } catch (JacksonException e) {
            throw ApiProblem.badRequest("the body is not JSON: " + e.getOriginalMessage());
        }
        if (activity == null || !activity.isObject()) {
            throw ApiProblem.badRequest("the body must be a Bot Framework activity (a JSON object)");
        }
        WireText.requireAll(activity);
        try {
            ConnectorTokenVerifier.requireServiceUrl(
                    claims, activity.path("serviceUrl").asString(""));
        } catch (TokenRejected e) {
            LOG.info("teams: refused a call to {}: {}", PATH, e.getMessage());
            throw ApiProblem.unauthorized(e.getMessage());
        }
        if ("invoke".equals(activity.path("type").asString(""))
                && "adaptiveCard/action".equals(activity.path("name").asString(""))) {
            ctx.status(200).contentType("application/json").result(mapper.writeValueAsString(actions.handle(activity)));
            return;
        }
        ctx.status(200);
    }
}
