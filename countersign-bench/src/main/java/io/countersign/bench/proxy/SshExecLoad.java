package io.countersign.bench.proxy;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.server.Gateway;
import io.countersign.server.config.ConfigFile;
import io.countersign.server.identity.AgentSshKeys;
import io.countersign.store.sqlite.SqliteStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.jspecify.annotations.Nullable;

/**
 * OpenSSH's {@code ssh HOST true}, timed as a whole process, straight to a local upstream SSH
 * server (Apache MINA SSHD whose exec of anything exits 0 at once, so the upstream costs the same
 * either way) and through the SSH gateway (login, the exec decided and recorded before it runs,
 * relayed on the gateway's pooled upstream connection), alternating, in one run. Reports p50 and
 * p90 of each, and what the gateway adds.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp countersign-bench/target/benchmarks.jar io.countersign.bench.proxy.SshExecLoad [runs=40]
 * </pre>
 *
 * Needs {@code ssh} and {@code ssh-keygen} (Debian's {@code openssh-client}).
 */
public final class SshExecLoad {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        Path work = Files.createTempDirectory("countersign-ssh-bench");
        Path agentKey = keygen(work.resolve("agent-key"));
        Path gatewayKey = keygen(work.resolve("gateway-key"));
        PublicKey gatewayPublic = publicKey(gatewayKey);
        SshServer upstream = SshServer.setUpDefaultServer();
        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(work.resolve("upstream-host-key"));
        hostKeys.setAlgorithm("EC");
        upstream.setKeyPairProvider(hostKeys);
        upstream.setHost("127.0.0.1");
        upstream.setPort(0);
        upstream.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, gatewayPublic));
        upstream.setPasswordAuthenticator(null);
        upstream.setKeyboardInteractiveAuthenticator(null);
        upstream.setCommandFactory((channel, command) -> new ExitsAtOnce());
        upstream.start();
        try {
            KeyPair host = hostKeys.loadKeys(null).iterator().next();
            Files.writeString(
                    work.resolve("known_hosts"),
                    "[127.0.0.1]:" + upstream.getPort() + " " + PublicKeyEntry.toString(host.getPublic()) + "\n");
            Files.writeString(work.resolve("policy.yaml"), """
                    default: deny
                    rules:
                      - name: true-is-harmless
                        match: {action: "ssh.exec", resource: "ssh/bench"}
                        when: 'params.argv == ["true"]'
                        effect: allow
                    """);
            Path config = Files.writeString(work.resolve("countersign.yaml"), """
                    server: {port: 0}
                    data: ./data
                    policy: ./policy.yaml
                    proxies:
                      ssh:
                        - name: bench
                          listen: 127.0.0.1:0
                          upstream: {host: 127.0.0.1, port: %d, user: deploy, keyFile: ./gateway-key, knownHosts: ./known_hosts}
                    """.formatted(upstream.getPort()));
            try (Gateway gateway = Gateway.start(ConfigFile.load(config), Clock.systemUTC())) {
                Map<String, String> labels = new HashMap<>();
                AgentSshKeys.addTo(labels, Files.readString(Path.of(agentKey + ".pub")));
                try (SqliteStore store = SqliteStore.open(work.resolve("data"))) {
                    new ApiTokens(store, Clock.systemUTC()).issue(new Agent("robot", labels));
                }
                int gatewayPort = gateway.sshGateways().getFirst().port();
                List<String> direct = ssh(work, upstream.getPort(), "deploy", gatewayKey);
                List<String> through = ssh(work, gatewayPort, "robot", agentKey);
                for (int i = 0; i < 5; i++) { // warm-up: JIT, the gateway's upstream connection
                    time(direct, work);
                    time(through, work);
                }
                List<Double> directMillis = new ArrayList<>();
                List<Double> throughMillis = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    directMillis.add(time(direct, work));
                    throughMillis.add(time(through, work));
                }
                directMillis.sort(null);
                throughMillis.sort(null);
                System.out.printf(Locale.ROOT, "ssh HOST true, %d runs each, alternating, one run%n", runs);
                System.out.printf(
                        Locale.ROOT,
                        "direct   p50 %7.1f ms  p90 %7.1f ms%n",
                        percentile(directMillis, 0.5),
                        percentile(directMillis, 0.9));
                System.out.printf(
                        Locale.ROOT,
                        "gateway  p50 %7.1f ms  p90 %7.1f ms%n",
                        percentile(throughMillis, 0.5),
                        percentile(throughMillis, 0.9));
                System.out.printf(
                        Locale.ROOT,
                        "p50 added %.1f ms (target <= 20 ms), ratio %.2fx%n",
                        percentile(throughMillis, 0.5) - percentile(directMillis, 0.5),
                        percentile(throughMillis, 0.5) / percentile(directMillis, 0.5));
            }
        } finally {
            upstream.stop(true);
        }
    }

    /** The upstream's exec: exit status 0 at once, whatever the command. */
    private static final class ExitsAtOnce implements Command {
        private @Nullable ExitCallback exit;

        @Override
        public void setInputStream(InputStream in) {}

        @Override
        public void setOutputStream(OutputStream out) {}

        @Override
        public void setErrorStream(OutputStream err) {}

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            ExitCallback callback = exit;
            if (callback == null) {
                throw new IOException("the exec started before its exit callback was set");
            }
            callback.onExit(0);
        }

        @Override
        public void destroy(ChannelSession channel) {}
    }

    private static List<String> ssh(Path work, int port, String user, Path key) {
        return List.of(
                "ssh",
                "-F",
                "/dev/null",
                "-p",
                String.valueOf(port),
                "-o",
                "UserKnownHostsFile=" + work.resolve("client-known-hosts"),
                "-o",
                "StrictHostKeyChecking=accept-new",
                "-o",
                "LogLevel=ERROR",
                "-o",
                "BatchMode=yes",
                "-o",
                "IdentitiesOnly=yes",
                "-i",
                key.toString(),
                user + "@127.0.0.1",
                "true");
    }

    private static double time(List<String> command, Path work) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process ssh = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("ssh.log").toFile())
                .start();
        if (!ssh.waitFor(60, TimeUnit.SECONDS)) {
            ssh.destroyForcibly();
            throw new IllegalStateException("ssh did not finish: " + command);
        }
        double millis = (System.nanoTime() - start) / 1e6;
        if (ssh.exitValue() != 0) {
            throw new IllegalStateException(
                    "ssh exited " + ssh.exitValue() + ": " + Files.readString(work.resolve("ssh.log")));
        }
        return millis;
    }

    private static Path keygen(Path file) throws IOException, InterruptedException {
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", file.toString())
                .redirectErrorStream(true)
                .start();
        keygen.getInputStream().readAllBytes();
        if (keygen.waitFor() != 0) {
            throw new IllegalStateException("ssh-keygen failed for " + file);
        }
        return file;
    }

    private static PublicKey publicKey(Path privateKey) throws Exception {
        return AuthorizedKeyEntry.readAuthorizedKeys(Path.of(privateKey + ".pub"))
                .getFirst()
                .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
    }

    private static double percentile(List<Double> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
    }
}
