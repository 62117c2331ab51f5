package io.countersign.server.teams;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.server.Gateway;
import io.countersign.server.TestCredentials;
import io.countersign.server.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A real gateway with a {@code teams:} section on a free loopback port, and helpers to act as agent, approver and Teams. */
final class TeamsTestGateway implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path data;
    private final Gateway gateway;

    TeamsTestGateway(Path directory, TeamsConfig teams) {
        this.data = directory.resolve("data");
        Path policy = directory.resolve("policy.yaml");
        try (InputStream in = TeamsTestGateway.class.getResourceAsStream("/teams/teams-policy.yaml")) {
            Files.createDirectories(directory);
            Files.write(policy, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.gateway = Gateway.start(
                ServerConfig.defaults()
                        .withDataDirectory(data)
                        .withPolicyFile(policy)
                        .withPort(0)
                        .withTeams(teams),
                Clock.systemUTC());
    }

    String baseUrl() {
        return gateway.baseUrl();
    }

    String agent(String name) {
        return issue(new Agent(name, Map.of("team", "test")));
    }

    String human(String name, String email, String... groups) {
        return issue(new Human(name, email, Set.of(groups)));
    }

    private String issue(Principal principal) {
        return TestCredentials.issue(data, principal);
    }

    /** An agent's {@code POST /v1/actions}; the answer's JSON. */
    JsonNode submit(String agentToken, String action, String resource, String reason, Optional<String> onBehalfOf) {
        ObjectNode body = FakeTeams.MAPPER
                .createObjectNode()
                .put("action", action)
                .put("resource", resource)
                .put("reason", reason);
        body.putObject("params").put("format", "csv").put("rows", 120000);
        onBehalfOf.ifPresent(human -> body.put("onBehalfOf", human));
        return FakeTeams.MAPPER.readTree(
                post("/v1/actions", "Bearer " + agentToken, FakeTeams.MAPPER.writeValueAsString(body))
                        .body());
    }

    JsonNode request(String id, String token) {
        return FakeTeams.MAPPER.readTree(send(HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/actions/" + id))
                        .header("Authorization", "Bearer " + token)
                        .GET())
                .body());
    }

    /** A call to the bot's messaging endpoint as the Bot Connector makes it; {@code authorization} may be null. */
    HttpResponse<String> teams(String authorization, String activity) {
        return post(TeamsRoutes.PATH, authorization, activity);
    }

    HttpResponse<String> post(String path, String authorization, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        gateway.close();
    }
}
