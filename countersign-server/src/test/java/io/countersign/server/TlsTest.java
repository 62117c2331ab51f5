package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.tls}: HTTPS served directly from PEM files, with HSTS and Secure cookies. */
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
