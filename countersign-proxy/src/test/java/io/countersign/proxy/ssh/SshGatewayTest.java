package io.countersign.proxy.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Human;
import io.countersign.proxy.Login;
import io.countersign.proxy.ProxyFixture;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenSSH's {@code ssh} through the gateway to a real upstream SSH server (Apache MINA SSHD with
 * a real shell): allowed commands behave as they do straight to the upstream, denied ones never
 * arrive there, held ones run after an approval, shells are recorded, and a client that leaves
 * or sends garbage leaves nothing half-done.
 */
class SshGatewayTest {
    private static final String POLICY = """
            default: deny
            rules:
              - name: no-removals
                match: {action: "ssh.exec"}
                when: 'params.argv[0] == "rm"'
                effect: deny
                reason: "agents never remove files"
              - name: touching-needs-an-operator
                match: {action: "ssh.exec"}
                when: 'params.argv[0] == "touch"'
                effect: require_approval
                approval: {groups: [operators], quorum: 1, timeout: 30m}
              - name: harmless-commands
                match: {action: "ssh.exec"}
                when: 'params.argv[0] in ["sh", "echo", "printf", "true", "cat", "sleep"]'
                effect: allow
              - name: shells-on-test
                match: {action: "ssh.shell", resource: "ssh/test"}
                effect: allow
              - name: sftp-on-test
                match: {action: "ssh.sftp", resource: "ssh/test"}
                effect: allow
            """;
    private static final Human ALICE = new Human("alice", "alice@example.com", Set.of("operators"));

    @TempDir
    static Path dir;

    private static ProxyFixture fixture;
    private static TestUpstream upstream;
    private static SshGateway gateway;
    private static Path agentKey;
    private static Path gatewayKey;

    @BeforeAll
    static void start() throws Exception {
        OpenSsh.requireInstalled();
        agentKey = OpenSsh.keygen(dir.resolve("agent-key"));
        gatewayKey = OpenSsh.keygen(dir.resolve("gateway-key"));
        upstream = new TestUpstream(dir, OpenSsh.publicKey(gatewayKey));
        fixture = new ProxyFixture(dir.resolve("data"), POLICY, SessionActionsPolicy::new);
        gateway = startGateway("test", upstream.writeKnownHosts(dir.resolve("known_hosts")));
    }

    private static SshGateway startGateway(String name, Path knownHosts) throws Exception {
        PublicKey registered = OpenSsh.publicKey(agentKey);
        AgentPublicKeys keys = (agent, key) -> agent.equals("robot") && KeyUtils.compareKeys(key, registered)
                ? fixture.admitted("robot")
                : new Login.Refused("no such key registered to " + agent);
        SshGatewayConfig config = new SshGatewayConfig(
                name,
                "127.0.0.1",
                0,
                new SshGatewayConfig.Target(
                        "127.0.0.1", upstream.port(), "deploy", gatewayKey, knownHosts, Duration.ofSeconds(30)),
                dir.resolve("data/ssh/" + name + "-host-key"),
                dir.resolve("data/ssh-recordings"));
        return SshGateway.start(config, fixture.enforcement, fixture.authenticator, keys, Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static OpenSsh.Result viaGateway(String command) throws Exception {
        return OpenSsh.run(
                OpenSsh.command(dir, gateway.port(), "robot", OpenSsh.withKey(agentKey), command), dir, new byte[0]);
    }

    private static OpenSsh.Result direct(String command) throws Exception {
        return OpenSsh.run(
                OpenSsh.command(dir, upstream.port(), "deploy", OpenSsh.withKey(gatewayKey), command),
                dir,
                new byte[0]);
    }

    @Test
    void anAllowedCommandsOutputAndExitStatusMatchRunningItStraightOnTheUpstream() throws Exception {
        String command = "sh -c 'printf \"out %s\\n\" \"$((6*7))\"; printf \"err line\\n\" >&2; exit 3'";

        OpenSsh.Result through = viaGateway(command);
        OpenSsh.Result straight = direct(command);

        assertThat(straight.exit()).isEqualTo(3);
        assertThat(straight.stdout()).isEqualTo("out 42\n");
        assertThat(through).isEqualTo(straight);
        ApprovalRequest executed = lastRequestFor(command);
        assertThat(executed.action().paramsView().get("argv").toString())
                .isEqualTo(
                        "[\"sh\",\"-c\",\"printf \\\"out %s\\\\n\\\" \\\"$((6*7))\\\"; printf \\\"err line\\\\n\\\" >&2; exit 3\"]");
        assertThat(executed.execution().orElseThrow().detail().orElseThrow())
                .startsWith("exit 3; stdout 7 bytes sha256 " + sha256("out 42\n".getBytes(StandardCharsets.UTF_8))
                        + "; stderr 9 bytes sha256 ");
    }

    @Test
    void theAgentsApiKeyAsPasswordLogsIn() throws Exception {
        Path askpass = Files.writeString(dir.resolve("askpass.sh"), "#!/bin/sh\nprintf '%s\\n' \"$KEY\"\n");
        askpass.toFile().setExecutable(true);
        ProcessBuilder builder = new ProcessBuilder(OpenSsh.command(
                        dir,
                        gateway.port(),
                        "robot",
                        List.of(
                                "-o", "PubkeyAuthentication=no",
                                "-o", "PreferredAuthentications=password",
                                "-o", "NumberOfPasswordPrompts=1"),
                        "echo",
                        "with-password"))
                .directory(dir.toFile());
        builder.environment().put("SSH_ASKPASS", askpass.toString());
        builder.environment().put("SSH_ASKPASS_REQUIRE", "force");
        builder.environment().put("KEY", fixture.keyFor("robot").reveal());
        Process p = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("with-password\n");
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void anUnregisteredKeyCannotLogIn() throws Exception {
        Path stranger = OpenSsh.keygen(dir.resolve("stranger-key"));
        OpenSsh.Result result = OpenSsh.run(
                OpenSsh.command(dir, gateway.port(), "robot", OpenSsh.withKey(stranger), "echo hi"), dir, new byte[0]);
        assertThat(result.exit()).isEqualTo(255);
        assertThat(result.stderr()).contains("Permission denied");
        assertThat(upstream.received).doesNotContain("echo hi");
    }

    @Test
    void aDeniedCommandNeverReachesTheUpstreamAndExitsWith126() throws Exception {
        Path precious = Files.writeString(dir.resolve("precious.txt"), "keep me");
        String command = "rm " + precious;

        OpenSsh.Result result = viaGateway(command);

        assertThat(result.exit()).isEqualTo(126);
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr())
                .contains("Countersign denied ssh.exec on ssh/test")
                .contains("agents never remove files");
        assertThat(upstream.received).doesNotContain(command);
        assertThat(precious).exists();
        OpenSsh.Result unlisted = viaGateway("id");
        assertThat(unlisted.exit()).isEqualTo(126);
        assertThat(upstream.received).doesNotContain("id");
    }

    @Test
    void aCommandWithAnUnclosedQuoteIsRefusedUnread() throws Exception {
        OpenSsh.Result result = viaGateway("echo 'unclosed");
        assertThat(result.exit()).isEqualTo(126);
        assertThat(result.stderr()).contains("unclosed quote");
        assertThat(upstream.received).doesNotContain("echo 'unclosed");
    }

    @Test
    void aHeldCommandSaysWhereToDecideAndRunsOnceApproved() throws Exception {
        Path marker = dir.resolve("approved-marker");
        String command = "touch " + marker;
        Process ssh =
                OpenSsh.start(OpenSsh.command(dir, gateway.port(), "robot", OpenSsh.withKey(agentKey), command), dir);
        ssh.getOutputStream().close();
        BufferedReader stderr = new BufferedReader(new InputStreamReader(ssh.getErrorStream(), StandardCharsets.UTF_8));
        String line = stderr.readLine();
        assertThat(line).contains("held for approval").contains("/console/requests/req_");
        Matcher id = Pattern.compile("request (req_[0-9a-z]+)").matcher(line);
        assertThat(id.find()).isTrue();
        assertThat(upstream.received).doesNotContain(command);
        assertThat(marker).doesNotExist();

        fixture.workflow.approve(ALICE, new RequestId(id.group(1)), Optional.of("go"), "test");

        assertThat(ssh.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ssh.exitValue()).isZero();
        assertThat(marker).exists();
        assertThat(upstream.received).containsOnlyOnce(command);
    }

    @Test
    void anAllowedShellIsRecordedWithTheBytesTypedAndShownAndItsDigestIsRecorded() throws Exception {
        byte[] typed = "echo typed-$((40+2))\nexit 0\n".getBytes(StandardCharsets.UTF_8);
        OpenSsh.Result result = OpenSsh.run(
                OpenSsh.command(
                        dir,
                        gateway.port(),
                        "robot",
                        Stream.concat(OpenSsh.withKey(agentKey).stream(), Stream.of("-tt"))
                                .toList()),
                dir,
                typed);

        assertThat(result.stdout()).contains("typed-42");
        Path recording;
        try (Stream<Path> files = Files.list(dir.resolve("data/ssh-recordings"))) {
            recording = files.filter(f -> f.getFileName().toString().startsWith("test-"))
                    .findFirst()
                    .orElseThrow();
        }
        List<String> lines = Files.readAllLines(recording);
        assertThat(lines.getFirst()).contains("\"version\":2").contains("\"title\":\"robot@ssh/test\"");
        StringBuilder input = new StringBuilder();
        StringBuilder output = new StringBuilder();
        var json = tools.jackson.databind.json.JsonMapper.shared();
        for (String event : lines.subList(1, lines.size())) {
            var node = json.readTree(event);
            (node.get(1).asString().equals("i") ? input : output)
                    .append(node.get(2).asString());
        }
        assertThat(input.toString()).isEqualTo(new String(typed, StandardCharsets.UTF_8));
        assertThat(output.toString()).contains("typed-42");
        // The session's record, whatever its outcome: on a loaded machine the client may be seen leaving before the
        // upstream's close is read, which records the session as failed; the digest is recorded either way.
        ApprovalRequest shell = await(() -> fixture.changes().stream()
                .filter(r ->
                        r.action().action().equals("ssh.shell") && r.execution().isPresent())
                .reduce((a, b) -> b));
        assertThat(shell.execution().orElseThrow().detail().orElseThrow())
                .contains("recording " + recording.getFileName() + " " + Files.size(recording) + " bytes sha256 "
                        + sha256(Files.readAllBytes(recording)));
    }

    @Test
    void aShellOnAGatewayNoRuleNamesIsDeniedEvenThoughTheExecRulesWouldAllowIt() throws Exception {
        try (SshGateway other = startGateway("other", dir.resolve("known_hosts"))) {
            OpenSsh.Result result = OpenSsh.run(
                    OpenSsh.command(
                            dir,
                            other.port(),
                            "robot",
                            Stream.concat(OpenSsh.withKey(agentKey).stream(), Stream.of("-tt"))
                                    .toList()),
                    dir,
                    "echo should-not-run\n".getBytes(StandardCharsets.UTF_8));
            assertThat(result.exit()).isEqualTo(126);
            assertThat(result.stdout() + result.stderr())
                    .contains("Countersign denied ssh.shell on ssh/other")
                    .doesNotContain("should-not-run\r\nshould-not-run");
        }
    }

    @Test
    void openSshsSftpPutsAndGetsAFileThroughTheGatewayAllowedByItsRule_andTheSessionIsRecorded() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(TestUpstream.SFTP_SERVER) && OpenSsh.onPath("sftp"),
                "needs OpenSSH's sftp and sftp-server (Debian's openssh-client and openssh-sftp-server)");
        byte[] content = new byte[200_000];
        new java.util.Random(14).nextBytes(content);
        Path local = Files.write(dir.resolve("sftp-local.bin"), content);
        Path batch = Files.writeString(
                dir.resolve("sftp-batch"),
                "put " + local + " uploaded.bin\nget uploaded.bin " + dir.resolve("sftp-back.bin") + "\nls -1\n");
        List<String> command = new java.util.ArrayList<>(List.of(
                "sftp",
                "-F",
                "/dev/null",
                "-P",
                String.valueOf(gateway.port()),
                "-o",
                "UserKnownHostsFile=" + dir.resolve("client-known-hosts"),
                "-o",
                "StrictHostKeyChecking=accept-new",
                "-o",
                "LogLevel=ERROR",
                "-b",
                batch.toString()));
        command.addAll(OpenSsh.withKey(agentKey));
        command.add("robot@127.0.0.1");

        OpenSsh.Result result = OpenSsh.run(command, dir, new byte[0]);

        assertThat(result.exit()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("uploaded.bin");
        assertThat(upstream.files.resolve("uploaded.bin")).hasBinaryContent(content);
        assertThat(dir.resolve("sftp-back.bin")).hasBinaryContent(content);
        ApprovalRequest sftp = await(() -> fixture.changes().stream()
                .filter(r ->
                        r.action().action().equals("ssh.sftp") && r.execution().isPresent())
                .reduce((a, b) -> b));
        assertThat(sftp.decision().rules()).containsExactly("sftp-on-test");
        assertThat(sftp.action().resource()).isEqualTo("ssh/test");
        // On a loaded machine the client may be seen leaving before the upstream's exit status arrives (as for shells).
        assertThat(sftp.execution().orElseThrow().detail().orElseThrow())
                .satisfiesAnyOf(detail -> assertThat(detail).startsWith("exit 0"), detail -> assertThat(detail)
                        .contains("the SSH client disconnected"));
    }

    @Test
    void sftpOnAGatewayNoRuleNamesAndPortForwardingAreRefused() throws Exception {
        try (SshGateway other = startGateway("other", dir.resolve("known_hosts"))) {
            OpenSsh.Result sftp = OpenSsh.run(
                    OpenSsh.command(
                            dir,
                            other.port(),
                            "robot",
                            Stream.concat(OpenSsh.withKey(agentKey).stream(), Stream.of("-s"))
                                    .toList(),
                            "sftp"),
                    dir,
                    new byte[0]);
            assertThat(sftp.exit()).isEqualTo(126);
            assertThat(sftp.stderr()).contains("Countersign denied ssh.sftp on ssh/other");
        }
        OpenSsh.Result forward = OpenSsh.run(
                OpenSsh.command(
                        dir,
                        gateway.port(),
                        "robot",
                        Stream.concat(
                                        OpenSsh.withKey(agentKey).stream(),
                                        Stream.of(
                                                "-o",
                                                "ExitOnForwardFailure=yes",
                                                "-L",
                                                "0:127.0.0.1:" + upstream.port()))
                                .toList(),
                        "true"),
                dir,
                new byte[0]);
        assertThat(forward.exit()).isEqualTo(255);
    }

    @Test
    void aWrongUpstreamHostKeyRefusesTheConnection() throws Exception {
        Path otherKey = OpenSsh.keygen(dir.resolve("not-the-upstream"));
        Path wrong = Files.writeString(
                dir.resolve("wrong_known_hosts"),
                "[127.0.0.1]:" + upstream.port() + " " + Files.readString(Path.of(otherKey + ".pub")));
        try (SshGateway misconfigured = startGateway("wrong-host-key", wrong)) {
            int before = upstream.received.size();
            OpenSsh.Result result = OpenSsh.run(
                    OpenSsh.command(dir, misconfigured.port(), "robot", OpenSsh.withKey(agentKey), "echo wrong-key"),
                    dir,
                    new byte[0]);
            assertThat(result.exit()).isEqualTo(255);
            assertThat(result.stdout()).isEmpty();
            assertThat(result.stderr()).contains("could not log in to the upstream");
            assertThat(upstream.received.subList(before, upstream.received.size()))
                    .isEmpty();
        }
    }

    @Test
    void aClientThatDisconnectsMidCommandLeavesNothingRunningAndTheGatewayKeepsServing() throws Exception {
        Path late = dir.resolve("late-marker");
        String command = "sleep 3; echo done > " + late;
        Process ssh =
                OpenSsh.start(OpenSsh.command(dir, gateway.port(), "robot", OpenSsh.withKey(agentKey), command), dir);
        await(() -> upstream.received.contains(command) ? Optional.of(true) : Optional.empty());
        ssh.destroyForcibly();
        assertThat(ssh.waitFor(30, TimeUnit.SECONDS)).isTrue();

        ApprovalRequest recorded = await(
                () -> lastRequestForOptional(command).filter(r -> r.execution().isPresent()));
        assertThat(recorded.execution().orElseThrow().detail().orElseThrow()).contains("the SSH client disconnected");
        Thread.sleep(4_000); // past the command's own sleep: had it been left running, it would have written the marker
        assertThat(late).doesNotExist();
        assertThat(viaGateway("echo still-serving").stdout()).isEqualTo("still-serving\n");
    }

    @Test
    void garbageOnTheSocketGetsAClearRefusalAndTheGatewayKeepsServing() throws Exception {
        for (String garbage : List.of(
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "SSH-2.0-bogus\r\n\u0000\u0000\u0000\u0010garbage-packet!!")) {
            try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(garbage.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                byte[] answer = socket.getInputStream().readNBytes(8);
                assertThat(new String(answer, StandardCharsets.ISO_8859_1)).startsWith("SSH-2.0-");
                // The server closes a connection that does not speak SSH; reading to the end must not hang.
                socket.getInputStream().readAllBytes();
            }
        }
        assertThat(viaGateway("echo after-garbage").stdout()).isEqualTo("after-garbage\n");
    }

    private static ApprovalRequest lastRequestFor(String command) throws Exception {
        return await(
                () -> lastRequestForOptional(command).filter(r -> r.execution().isPresent()));
    }

    private static Optional<ApprovalRequest> lastRequestForOptional(String command) {
        return fixture.changes().stream()
                .filter(r ->
                        r.action().paramsView().path("command").asString("").equals(command))
                .reduce((a, b) -> b);
    }

    private static <T> T await(java.util.function.Supplier<Optional<T>> condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            Optional<T> value = condition.get();
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("condition not met in 60 s");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
