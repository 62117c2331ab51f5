package io.countersign.proxy.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.server.ConsoleClient;
import io.countersign.server.Gateway;
import io.countersign.server.TestCredentials;
import io.countersign.server.config.ConfigFile;
import io.countersign.server.identity.AgentSshKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole gateway as {@code countersign serve} starts it, from a config file with
 * {@code proxies.ssh}, in front of a real upstream SSH server: OpenSSH's {@code ssh} logs in with
 * the key registered to the agent, an allowed command runs, a denied one never arrives, and a
 * shell is recorded and readable from the console by an auditor (escaped), and by nobody else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshServeEndToEndTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    private TestUpstream upstream;
    private Gateway gateway;
    private Path agentKey;
    private String auditor;
    private String approver;

    @BeforeAll
    void start() throws Exception {
        OpenSsh.requireInstalled();
        agentKey = OpenSsh.keygen(dir.resolve("agent-key"));
        Path gatewayKey = OpenSsh.keygen(dir.resolve("gateway-key"));
        upstream = new TestUpstream(dir, OpenSsh.publicKey(gatewayKey));
        upstream.writeKnownHosts(dir.resolve("known_hosts"));
        Files.writeString(dir.resolve("policy.yaml"), """
                default: deny
                rules:
                  - name: echo-is-fine
                    match: {action: "ssh.exec", resource: "ssh/web"}
                    when: 'params.argv[0] == "echo"'
                    effect: allow
                  - name: shells-on-web
                    match: {action: "ssh.shell", resource: "ssh/web"}
                    effect: allow
                """);
        Path config = Files.writeString(dir.resolve("countersign.yaml"), """
                server: {port: 0}
                data: ./data
                policy: ./policy.yaml
                identity:
                  roles: {admin: [countersign-admins], auditor: [auditors]}
                proxies:
                  ssh:
                    - name: web
                      listen: 127.0.0.1:0
                      upstream: {host: 127.0.0.1, port: %d, user: deploy, keyFile: ./gateway-key, knownHosts: ./known_hosts}
                """.formatted(upstream.port()));
        gateway = Gateway.start(ConfigFile.load(config), Clock.systemUTC());
        Map<String, String> labels = new HashMap<>();
        AgentSshKeys.addTo(labels, Files.readString(Path.of(agentKey + ".pub")));
        TestCredentials.issue(dir.resolve("data"), new Agent("robot", labels));
        auditor = TestCredentials.issue(dir.resolve("data"), new Human("ann", "ann@example.com", Set.of("auditors")));
        approver = TestCredentials.issue(dir.resolve("data"), new Human("ops", "ops@example.com", Set.of("operators")));
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private int sshPort() {
        assertThat(gateway.sshGateways()).hasSize(1);
        return gateway.sshGateways().getFirst().port();
    }

    @Test
    void sshThroughTheServedGateway_runsAnAllowedCommand_andNeverADeniedOne() throws Exception {
        OpenSsh.Result allowed = OpenSsh.run(
                OpenSsh.command(dir, sshPort(), "robot", OpenSsh.withKey(agentKey), "echo served"), dir, new byte[0]);
        assertThat(allowed).isEqualTo(new OpenSsh.Result(0, "served\n", ""));

        OpenSsh.Result denied = OpenSsh.run(
                OpenSsh.command(dir, sshPort(), "robot", OpenSsh.withKey(agentKey), "cat /etc/hostname"),
                dir,
                new byte[0]);
        assertThat(denied.exit()).isEqualTo(126);
        assertThat(denied.stderr()).contains("Countersign denied ssh.exec on ssh/web");
        assertThat(upstream.received).containsExactly("echo served");
    }

    @Test
    void aRecordedShellIsListedOnItsConsolePage_asEscapedTextAndAsTheFile_forAuditorsOnly() throws Exception {
        OpenSsh.Result shell = OpenSsh.run(
                OpenSsh.command(
                        dir,
                        sshPort(),
                        "robot",
                        Stream.concat(OpenSsh.withKey(agentKey).stream(), Stream.of("-tt"))
                                .toList()),
                dir,
                "printf 'typed-%s \\033[31mred\\033[0m\\n' 42\nexit\n".getBytes(StandardCharsets.UTF_8));
        assertThat(shell.stdout()).contains("typed-42");
        String id = shellRequest();

        ConsoleClient console = ConsoleClient.signIn(gateway.baseUrl(), auditor);
        HttpResponse<String> page = awaitRecordingLink(console, id);
        assertThat(page.body())
                .contains("/console/requests/" + id + "/recording\"")
                .contains("/console/requests/" + id + "/recording.cast\"");

        HttpResponse<String> text = console.get("/console/requests/" + id + "/recording");
        assertThat(text.statusCode()).as(text.body()).isEqualTo(200);
        assertThat(text.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(text.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(text.body())
                .contains("Its SHA-256 is the one in the audit log")
                .contains("typed-42")
                .contains("\\e[31mred\\e[0m")
                .doesNotContain("\u001b");
        assertThat(text.body().chars().filter(c -> c < 0x20 && c != '\n').count())
                .as("no control character but line ends")
                .isZero();

        HttpResponse<String> file = console.get("/console/requests/" + id + "/recording.cast");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("content-disposition"))
                .hasValueSatisfying(value -> assertThat(value).startsWith("attachment; filename=\"web-"));
        assertThat(file.headers().firstValue("countersign-recording-matches-audit"))
                .hasValue("true");
        assertThat(file.body().lines().findFirst().orElseThrow()).contains("\"version\":2");

        ConsoleClient notAnAuditor = ConsoleClient.signIn(gateway.baseUrl(), approver);
        assertThat(notAnAuditor.get("/console/requests/" + id + "/recording").statusCode())
                .isEqualTo(403);
        assertThat(notAnAuditor
                        .get("/console/requests/" + id + "/recording.cast")
                        .statusCode())
                .isEqualTo(403);
    }

    /** The shell's request id, from the audit log (an allowed shell shows the agent no id). */
    private String shellRequest() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until) {
            HttpResponse<String> entries = HTTP.send(
                    HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/audit/entries?start=0"))
                            .header("Authorization", "Bearer " + auditor)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            Optional<String> id = entries.body()
                    .lines()
                    .filter(line -> line.contains("\"ssh.shell\""))
                    .map(line -> JSON.readTree(line).path("request"))
                    .filter(JsonNode::isString)
                    .map(JsonNode::asString)
                    .findFirst();
            if (id.isPresent()) {
                return id.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no ssh.shell request in the audit log");
    }

    /** The request page once the shell's execution (with its recording) is recorded. */
    private HttpResponse<String> awaitRecordingLink(ConsoleClient console, String id) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        HttpResponse<String> page = console.get("/console/requests/" + id);
        while (!page.body().contains("/recording\"") && System.nanoTime() < until) {
            Thread.sleep(200);
            page = console.get("/console/requests/" + id);
        }
        return page;
    }
}
