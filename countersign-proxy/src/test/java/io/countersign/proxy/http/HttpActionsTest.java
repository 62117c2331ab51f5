package io.countersign.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpActionsTest {
    private static final HttpProxyConfig GITHUB = new HttpProxyConfig(
            "github",
            URI.create("https://api.github.com"),
            new HttpProxyConfig.Credential.Header("Authorization", "GITHUB_TOKEN", "Bearer "),
            List.of("accept", "content-type"),
            4096,
            64,
            Duration.ofSeconds(5));

    private static Action action(
            String method, String path, String query, Map<String, List<String>> headers, String body) throws Exception {
        ProxiedRequest request =
                new ProxiedRequest("github", method, path, query, headers, body.getBytes(StandardCharsets.UTF_8));
        return HttpActions.toAction(
                GITHUB, request, ProxyPath.parse(path), HttpActions.Query.parse(query, Optional.empty()));
    }

    @Test
    void aRequestIsAnActionNamedByUpstreamAndMethodOnTheUpstreamsPath() throws Exception {
        Action action = action(
                "DELETE",
                "/repos/acme/api/git/refs/heads/feature%20x",
                "force=true&x=1&x=2",
                Map.of("Accept", List.of("application/json"), "X-Other", List.of("no")),
                "");
        assertThat(action.action()).isEqualTo("http.github.delete");
        assertThat(action.resource()).isEqualTo("github/repos/acme/api/git/refs/heads/feature_x");
        assertThat(action.paramsView().path("path").asString()).isEqualTo("/repos/acme/api/git/refs/heads/feature x");
        assertThat(action.paramsView().path("query").toString()).isEqualTo("{\"force\":\"true\",\"x\":[\"1\",\"2\"]}");
        assertThat(action.paramsView().path("headers").toString()).isEqualTo("{\"accept\":\"application/json\"}");
        assertThat(action.paramsView().has("body")).isFalse();
    }

    @Test
    void aSmallJsonBodyIsParsedForThePolicy_andBoundByItsDigest() throws Exception {
        Map<String, List<String>> json = Map.of("Content-Type", List.of("application/json; charset=utf-8"));
        Action action = action("POST", "/repos/acme/api/git/refs", "", json, "{\"ref\": \"main\"}");
        assertThat(action.paramsView().path("body").path("ref").asString()).isEqualTo("main");
        Action respelled = action("POST", "/repos/acme/api/git/refs", "", json, "{\"ref\":\"main\"}");
        assertThat(respelled.paramsView().path("body"))
                .isEqualTo(action.paramsView().path("body"));
        assertThat(respelled.digest().matches(action.digest())).isFalse();
    }

    @Test
    void aLargeOrNonJsonOrDuplicateKeyBodyIsItsDigestSizeAndType() throws Exception {
        Map<String, List<String>> json = Map.of("Content-Type", List.of("application/json"));
        for (String body : List.of("{\"a\": \"" + "x".repeat(100) + "\"}", "{\"ref\": \"main\", \"ref\": \"evil\"}")) {
            Action action = action("POST", "/x", "", json, body);
            assertThat(action.paramsView().path("body").path("size").asInt()).isEqualTo(body.length());
            assertThat(action.paramsView().path("body").path("sha256").asString())
                    .isEqualTo(HttpActions.sha256(body.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(action.paramsView().path("bodySha256").asString());
        }
        Action text = action("PUT", "/x", "", Map.of("Content-Type", List.of("text/plain")), "{\"ref\": \"main\"}");
        assertThat(text.paramsView().path("body").path("contentType").asString())
                .isEqualTo("text/plain");
    }

    @Test
    void theQueryCredentialsParameterIsDroppedFromWhatTheAgentSent() throws Exception {
        HttpActions.Query query = HttpActions.Query.parse("api_key=mine&q=x&api_key=again", Optional.of("api_key"));
        assertThat(query.raw()).isEqualTo("q=x");
        assertThat(query.asJson().toString()).isEqualTo("{\"q\":\"x\"}");
    }

    @Test
    void refusesAMethodOrAResourceThePolicyCouldNotName() {
        assertThatThrownBy(() -> action("get", "/x", "", Map.of(), "")).isInstanceOf(RefusedRequest.class);
        assertThatThrownBy(() -> action("GET", "/" + "a/".repeat(200) + "a", "", Map.of(), ""))
                .isInstanceOf(RefusedRequest.class)
                .hasMessageContaining("at most 256");
    }

    @Test
    void aConfigCannotForwardTheHeadersTheProxyOwns() {
        assertThatThrownBy(() -> new HttpProxyConfig(
                        "github",
                        URI.create("https://api.github.com"),
                        GITHUB.credential(),
                        List.of("Authorization"),
                        4096,
                        64,
                        Duration.ofSeconds(5)))
                .hasMessageContaining("'authorization' can't be forwarded");
        assertThatThrownBy(() -> new HttpProxyConfig(
                        "github",
                        URI.create("https://user:pw@api.github.com"),
                        GITHUB.credential(),
                        List.of(),
                        4096,
                        64,
                        Duration.ofSeconds(5)))
                .hasMessageContaining("without credentials");
    }
}
