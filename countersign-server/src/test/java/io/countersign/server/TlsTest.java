package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.countersign.identity.Agent;
import io.countersign.server.config.ConfigException;
import io.countersign.server.config.ConfigFile;
import io.countersign.server.config.ServerConfig;
import io.countersign.server.http.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.tls}: HTTPS served directly from PEM files, with HSTS and Secure cookies, the console's downloads too. */
class TlsTest {
    @TempDir
    Path directory;

    private Path cert;
    private Path key;

    @BeforeEach
    void selfSignedCertificate() throws Exception {
        cert = directory.resolve("cert.pem");
        key = directory.resolve("key.pem");
        boolean made;
        try {
            Process openssl = new ProcessBuilder(
                            "openssl",
                            "req",
                            "-x509",
                            "-newkey",
                            "ec",
                            "-pkeyopt",
                            "ec_paramgen_curve:P-256",
                            "-nodes",
                            "-keyout",
                            key.toString(),
                            "-out",
                            cert.toString(),
                            "-days",
                            "1",
                            "-subj",
                            "/CN=localhost",
                            "-addext",
                            "subjectAltName=IP:127.0.0.1,DNS:localhost")
                    .redirectErrorStream(true)
                    .start();
            openssl.getInputStream().readAllBytes();
            made = openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0;
        } catch (IOException noOpenssl) {
            made = false;
        }
        assumeTrue(
                made, "openssl (Debian's openssl package) makes the self-signed certificate; it is missing or failed");
    }

    private ServerConfig config() throws IOException {
        Path policy = directory.resolve("policy.yaml");
        try (InputStream in = TlsTest.class.getResourceAsStream("/e2e-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        return ServerConfig.defaults()
                .withDataDirectory(directory.resolve("data"))
                .withPolicyFile(policy)
                .withPort(0)
                .withTls(new TlsFiles(cert, key));
    }

    private HttpClient trusting() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry(
                    "test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).build();
    }

    @Test
    void servesHttpsFromPemFiles_withHstsAndSecureCookies_andNoPlainHttp() throws Exception {
        try (Gateway gateway = Gateway.start(config(), Clock.systemUTC())) {
            HttpClient client = trusting();

            HttpResponse<String> health = client.send(
                    HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/healthz"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> signIn = client.send(
                    HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/console/sign-in"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(gateway.baseUrl()).isEqualTo("https://127.0.0.1:" + gateway.port());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
            assertThat(signIn.headers().allValues("Set-Cookie"))
                    .anySatisfy(cookie -> assertThat(cookie).contains("Secure", "HttpOnly"));
            int plainStatus;
            try {
                plainStatus = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/healthz"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode();
            } catch (IOException refused) {
                plainStatus = -1;
            }
            assertThat(plainStatus).as("plain HTTP on the TLS port").isNotEqualTo(200);
        }
    }

    @Test
    void anAuditorDownloadsTheAuditExportAndTheEvidencePackageFromTheConsoleOverHttps_andBothVerifyOffline()
            throws Exception {
        try (Gateway gateway = Gateway.start(config(), Clock.systemUTC())) {
            HttpClient client = trusting();
            Path data = directory.resolve("data");
            Cli.Run auditor = Cli.run(
                    "humans",
                    "create",
                    "aude",
                    "--email",
                    "aude@example.com",
                    "--role",
                    "auditor",
                    "--data",
                    data.toString());
            assertThat(auditor.exitCode()).as(auditor.all()).isZero();
            String agent = TestCredentials.issue(data, new Agent("reporter", Map.of("team", "test")));
            HttpResponse<String> action = client.send(
                    HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/actions"))
                            .header("Authorization", "Bearer " + agent)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    Http.json("action", "db.query", "resource", "db/prod/t", "reason", "over https")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(action.statusCode()).as(action.body()).isEqualTo(200);
            ConsoleClient console = ConsoleClient.signIn(gateway.baseUrl(), auditor.lastLine(), client);
            assertThat(console.sessionCookie()).contains("; Secure").contains("; HttpOnly");
            String key = Cli.run("audit", "key", "--data", data.toString()).lastLine();

            HttpResponse<byte[]> export = console.download("/console/audit/export");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (export.statusCode() != 200 && System.nanoTime() < deadline) { // until the first checkpoint
                Thread.sleep(200);
                export = console.download("/console/audit/export");
            }
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            HttpResponse<byte[]> evidence =
                    console.download("/console/evidence?from=" + today.minusDays(1) + "&to=" + today.plusDays(1));

            for (HttpResponse<byte[]> download : List.of(export, evidence)) {
                assertThat(download.statusCode())
                        .as("%s: %s", download.uri(), new String(download.body(), StandardCharsets.UTF_8))
                        .isEqualTo(200);
                assertThat(download.headers().firstValue("Strict-Transport-Security"))
                        .hasValue("max-age=31536000");
                assertThat(download.headers().firstValue("Content-Disposition"))
                        .hasValueSatisfying(
                                disposition -> assertThat(disposition).startsWith("attachment"));
                Path file = Files.write(
                        directory.resolve("download-" + download.uri().getPath().replace('/', '-')), download.body());
                Cli.Run verified = Cli.run("audit", "verify", "--export", file.toString(), "--key", key);
                assertThat(verified.exitCode())
                        .as("%s: %s", download.uri(), verified.all())
                        .isZero();
            }
        }
    }

    @Test
    void theConfigFileNamesThePemFiles_relativeToItself_andAnOldStyleKeyIsRefusedWithTheCommandThatConvertsIt()
            throws Exception {
        Path file = directory.resolve("countersign.yaml");
        Files.writeString(file, "server:\n  port: 0\n  tls: {certFile: cert.pem, keyFile: key.pem}\n");
        assertThat(ConfigFile.load(file).tls()).contains(new TlsFiles(cert, key));
        Files.writeString(file, "server:\n  tls: {certFile: cert.pem}\n");
        assertThatThrownBy(() -> ConfigFile.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'server.tls.keyFile' is missing");

        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
        ServerConfig config = config();
        assertThatThrownBy(() -> Gateway.start(config, Clock.systemUTC()))
                .hasMessageContaining(key.toString())
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }
}
