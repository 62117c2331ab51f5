package io.countersign.proxy.ssh;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/** Debian's OpenSSH client and ssh-keygen, driven as an agent would; tests skip with a message where they are missing. */
final class OpenSsh {
    private OpenSsh() {}

    static void requireInstalled() {
        for (String tool : List.of("ssh", "ssh-keygen")) {
            boolean found = List.of("/usr/bin/", "/bin/", "/usr/local/bin/").stream()
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir + tool)));
            assumeTrue(found, tool + " (Debian's openssh-client) is not installed; .ci/run installs it");
        }
    }

    /** Whether {@code tool} is on the PATH. */
    static boolean onPath(String tool) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(folder -> Files.isExecutable(Path.of(folder, tool)));
    }

    /** A new ECDSA key pair without a passphrase; the private key's path ({@code .pub} beside it). */
    static Path keygen(Path file) throws Exception {
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-C", "test", "-f", file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("ssh-keygen failed: " + out);
        }
        return file;
    }

    static PublicKey publicKey(Path privateKey) throws Exception {
        return AuthorizedKeyEntry.readAuthorizedKeys(Path.of(privateKey + ".pub"))
                .getFirst()
                .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
    }

    record Result(int exit, String stdout, String stderr) {}

    /** ssh with only the options given (no user config), host keys of the gateway accepted on first use. */
    static List<String> command(Path dir, int port, String user, List<String> options, String... remote) {
        List<String> command = new ArrayList<>(List.of(
                "ssh",
                "-F",
                "/dev/null",
                "-p",
                String.valueOf(port),
                "-o",
                "UserKnownHostsFile=" + dir.resolve("client-known-hosts"),
                "-o",
                "StrictHostKeyChecking=accept-new",
                "-o",
                "LogLevel=ERROR",
                "-o",
                "ConnectTimeout=30"));
        command.addAll(options);
        command.add(user + "@127.0.0.1");
        command.addAll(List.of(remote));
        return command;
    }

    static List<String> withKey(Path key) {
        return List.of("-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", key.toString());
    }

    static Process start(List<String> command, Path dir) throws IOException {
        return new ProcessBuilder(command).directory(dir.toFile()).start();
    }

    static Result run(List<String> command, Path dir, byte[] stdin) throws Exception {
        Process p = start(command, dir);
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("ssh did not finish in 90 s: " + command);
        }
        return new Result(
                p.exitValue(),
                new String(out.get(), StandardCharsets.UTF_8),
                new String(err.get(), StandardCharsets.UTF_8));
    }

    static CompletableFuture<byte[]> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return stream.readAllBytes();
                    } catch (IOException e) {
                        return new byte[0];
                    }
                },
                java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    }
}
