package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.proxy.postgres.PostgresProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code proxies:} section of countersign.yaml: errors name the key and the listener's position. */
class ProxiesConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void withoutASection_noProxyListens() throws Exception {
        assertThat(ConfigFile.load(write("data: ./data\n")).postgresProxies()).isEmpty();
    }

    @Test
    void aPostgresListener_isReadWithItsUpstreamAndTls() throws Exception {
        PostgresProxyConfig proxy =
                ConfigFile.load(write("""
                proxies:
                  postgres:
                    - name: main
                      listen: 0.0.0.0:6432
                      upstream: {host: db.internal, port: 5433, database: app, user: countersign_proxy, passwordEnv: APP_DB_PASSWORD, sslmode: verify-full}
                      tls: {certFile: ./proxy.crt, keyFile: ./proxy.key}
                      unparsed: require_approval
                """)).postgresProxies().getFirst();

        assertThat(proxy)
                .isEqualTo(new PostgresProxyConfig(
                        "main",
                        "0.0.0.0",
                        6432,
                        new PostgresProxyConfig.UpstreamSettings(
                                "db.internal",
                                5433,
                                "app",
                                "countersign_proxy",
                                "APP_DB_PASSWORD",
                                PostgresProxyConfig.SslMode.VERIFY_FULL),
                        Optional.of(
                                new PostgresProxyConfig.TlsFiles(dir.resolve("proxy.crt"), dir.resolve("proxy.key"))),
                        PostgresProxyConfig.Unparsed.REQUIRE_APPROVAL));
        assertThat(proxy.listensOnLoopback()).isFalse();
    }

    @Test
    void mistakes_nameTheKeyOfTheListener() throws Exception {
        String upstream = "upstream: {host: db, database: app, user: u, passwordEnv: P}";
        assertThatThrownBy(() ->
                        ConfigFile.load(write("proxies: {postgres: [{name: main, listen: 6432, " + upstream + "}]}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'proxies.postgres[0].listen' must be host:port");
        assertThatThrownBy(
                        () -> ConfigFile.load(
                                write(
                                        "proxies: {postgres: [{name: main, listen: '127.0.0.1:1', upstream: {host: db, database: app, user: u}}]}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'proxies.postgres[0].upstream.passwordEnv' is required");
        assertThatThrownBy(() -> ConfigFile.load(write("proxies: {postgres: [{name: main, listen: '127.0.0.1:1', "
                        + upstream + ", password: hunter2}]}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'password' in proxies.postgres[0]");
        assertThatThrownBy(() -> ConfigFile.load(write("proxies: {postgres: [{name: main, listen: '127.0.0.1:1', "
                        + upstream + ", unparsed: allow}]}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'proxies.postgres[0].unparsed' is 'allow'");
        assertThatThrownBy(() -> ConfigFile.load(write("proxies: {postgres: [{name: a, listen: '127.0.0.1:1', "
                        + upstream + "}, {name: a, listen: '127.0.0.1:2', " + upstream + "}]}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'proxies.postgres[1].name' is 'a'");
        assertThatThrownBy(() -> ConfigFile.load(
                        write("proxies: {postgres: [{name: 'm/x', listen: '127.0.0.1:1', " + upstream + "}]}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("proxies.postgres[0]")
                .hasMessageContaining("name 'm/x'");
    }

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("countersign.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
