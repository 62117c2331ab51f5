package io.countersign.proxy.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.proxy.ProxyFixture;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS listener checked by real clients with {@code sslmode=verify-full}: psql (Debian's
 * libpq) and pgJDBC trust the proxy only through the CA given to them and only under a name its
 * certificate carries; a client that can't verify the proxy never sends its key, and nothing is
 * decided. The certificates are made by openssl for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresProxyTlsTest {
    private static final String PSQL = "/usr/bin/psql";
    private static final String OPENSSL = "/usr/bin/openssl";

    @TempDir
    static Path directory;

    Upstreams upstream;
    ProxyFixture fixture;
    PostgresProxy proxy;
    String key;
    Path ca;
    Path otherCa;

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeTrue(new File(OPENSSL).canExecute(), "openssl is not installed: skipping the TLS tests");
        ca = authority("ca");
        otherCa = authority("other-ca");
        Path cert = directory.resolve("proxy.crt");
        Path keyFile = directory.resolve("proxy.key");
        Path request = directory.resolve("proxy.csr");
        Path extensions =
                Files.writeString(directory.resolve("proxy.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        openssl(
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                keyFile.toString(),
                "-out",
                request.toString(),
                "-subj",
                "/CN=localhost");
        openssl(
                "x509",
                "-req",
                "-in",
                request.toString(),
                "-CA",
                ca.toString(),
                "-CAkey",
                directory.resolve("ca.key").toString(),
                "-CAcreateserial",
                "-out",
                cert.toString(),
                "-days",
                "1",
                "-extfile",
                extensions.toString());
        upstream = new Upstreams(directory.resolve("pg"));
        upstream.resetTables();
        PostgresProxyConfig plain = PostgresProxyTest.config(upstream.port());
        PostgresProxyConfig config = new PostgresProxyConfig(
                plain.name(),
                plain.listenHost(),
                0,
                plain.upstream(),
                Optional.of(new PostgresProxyConfig.TlsFiles(cert, keyFile)),
                PostgresProxyConfig.Unparsed.DENY);
        fixture = new ProxyFixture(
                directory.resolve("data"),
                PostgresProxyTest.POLICY,
                policy -> new UnparsedStatementPolicy(policy, List.of(config)));
        proxy = PostgresProxy.start(
                config, name -> Optional.of(upstream.password), fixture.enforcement, fixture.authenticator);
        key = fixture.keyFor("reporter").reveal();
    }

    @AfterAll
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (fixture != null) {
            fixture.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void psqlWithVerifyFullTrustsTheProxyThroughItsCaAndRunsAnAllowedQueryOverTls() throws Exception {
        Psql result = psql("host=localhost sslmode=verify-full sslrootcert=" + ca, "SELECT count(*) FROM orders");
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("3");
        Psql info = psql("host=localhost sslmode=verify-full sslrootcert=" + ca, "\\conninfo");
        assertThat(info.output()).as(info.output()).contains("SSL connection (protocol: TLS");
    }

    @Test
    void psqlWithVerifyFullRefusesTheProxyUnderANameItsCertificateDoesNotCarryAndSendsNoStatement() throws Exception {
        String sql = "SELECT count(*) FROM orders WHERE id > 1";
        Psql result = psql("host=proxy.example hostaddr=127.0.0.1 sslmode=verify-full sslrootcert=" + ca, sql);
        assertThat(result.exit()).isNotZero();
        assertThat(result.output()).contains("does not match host name");
        assertThat(decided(sql)).isFalse();
    }

    @Test
    void psqlWithVerifyFullRefusesAProxyItsCaDidNotSign() throws Exception {
        String sql = "SELECT count(*) FROM orders WHERE id > 2";
        Psql result = psql("host=localhost sslmode=verify-full sslrootcert=" + otherCa, sql);
        assertThat(result.exit()).isNotZero();
        assertThat(result.output()).contains("certificate verify failed");
        assertThat(decided(sql)).isFalse();
    }

    @Test
    void pgJdbcWithVerifyFullConnectsByNameAndByAddressAndRefusesAnotherCa() throws Exception {
        for (String host : List.of("localhost", "127.0.0.1")) {
            try (Connection connection = DriverManager.getConnection(
                    "jdbc:postgresql://" + host + ":" + proxy.port() + "/app?sslmode=verify-full&sslrootcert=" + ca,
                    "reporter",
                    key)) {
                assertThat(PostgresProxyTest.query(connection, "SELECT count(*) FROM orders"))
                        .containsExactly("3");
            }
        }
        assertThatThrownBy(() -> DriverManager.getConnection(
                        "jdbc:postgresql://localhost:" + proxy.port() + "/app?sslmode=verify-full&sslrootcert="
                                + otherCa,
                        "reporter",
                        key))
                .isInstanceOf(SQLException.class);
    }

    private boolean decided(String sql) {
        return fixture.changes().stream().anyMatch(request -> request.action()
                .paramsView()
                .path("statement")
                .asString()
                .equals(sql));
    }

    private record Psql(int exit, String output) {}

    private Psql psql(String connection, String command) throws IOException, InterruptedException {
        Assumptions.assumeTrue(
                new File(PSQL).canExecute(), "psql (postgresql-client) is not installed: skipping the psql TLS tests");
        ProcessBuilder builder = new ProcessBuilder(
                        PSQL,
                        connection + " port=" + proxy.port() + " dbname=app user=reporter",
                        "-X",
                        "-A",
                        "-t",
                        "-c",
                        command)
                .redirectErrorStream(true);
        builder.environment().putAll(Map.of("PGPASSWORD", key, "PGCONNECT_TIMEOUT", "30"));
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("psql finished").isTrue();
        return new Psql(process.exitValue(), output);
    }

    private Path authority(String name) throws IOException, InterruptedException {
        Path cert = directory.resolve(name + ".crt");
        openssl(
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                directory.resolve(name + ".key").toString(),
                "-out",
                cert.toString(),
                "-days",
                "1",
                "-subj",
                "/CN=Countersign test " + name);
        return cert;
    }

    private static void openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(OPENSSL));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0)
                .as(String.join(" ", command) + ":\n" + output)
                .isTrue();
    }
}
