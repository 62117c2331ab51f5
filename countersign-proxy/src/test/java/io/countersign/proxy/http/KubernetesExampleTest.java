package io.countersign.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Kubernetes example of docs/http-proxy.md decides as the page says, on the actions the proxy makes. */
class KubernetesExampleTest {
    private static final Path DOC = Path.of("..", "docs", "http-proxy.md");
    private static final HttpProxyConfig K8S = new HttpProxyConfig(
            "k8s",
            URI.create("https://kubernetes.default.svc"),
            new HttpProxyConfig.Credential.Header("Authorization", "K8S_TOKEN", "Bearer "),
            List.of("accept", "content-type"),
            65536,
            65536,
            Duration.ofSeconds(20));

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "GET | /api/v1/namespaces/prod/pods | '' | ALLOW",
                "GET | /api/v1/namespaces/prod/secrets/db | '' | DENY",
                "DELETE | /api/v1/namespaces/prod/pods/api-7d9f | '' | REQUIRE_APPROVAL",
                "DELETE | /api/v1/namespaces/staging/pods/api-7d9f | '' | DENY",
                "PATCH | /apis/apps/v1/namespaces/staging/deployments/api/scale | {\"spec\": {\"replicas\": 3}} | ALLOW",
                "PATCH | /apis/apps/v1/namespaces/staging/deployments/api/scale | {\"spec\": {\"replicas\": 50}} | DENY"
            })
    void decidesAsTheDocsSay(String method, String path, String body, Effect expected) throws Exception {
        Policy policy = Policy.parse("docs/http-proxy.md", examplePolicy());
        ProxiedRequest request = new ProxiedRequest(
                "k8s",
                method,
                path,
                "",
                Map.of("Content-Type", List.of("application/merge-patch+json")),
                body.getBytes(StandardCharsets.UTF_8));
        Action action = HttpActions.toAction(
                K8S, request, ProxyPath.parse(path), HttpActions.Query.parse("", Optional.empty()));
        Effect effect = policy.decide(new DecisionInput(action, Agent.named("ops-bot"), Instant.now()))
                .effect();
        assertThat(effect).isEqualTo(expected);
    }

    private static String examplePolicy() throws Exception {
        Matcher block = Pattern.compile("```yaml\\n# policy.yaml\\n(.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(DOC));
        assertThat(block.find())
                .as("docs/http-proxy.md has the Kubernetes policy")
                .isTrue();
        return block.group(1);
    }
}
