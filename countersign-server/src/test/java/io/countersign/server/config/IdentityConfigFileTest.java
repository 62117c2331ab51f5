package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.identity.OidcSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity: section of countersign.yaml. */
class IdentityConfigFileTest {
    @TempDir
    Path directory;

    private IdentityConfig load(String... lines) throws IOException {
        Path file = directory.resolve("countersign.yaml");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return ConfigFile.load(file).identity();
    }

    @Test
    void noIdentitySection_isLocalTokensOnly() throws IOException {
        assertThat(load("data: ./data")).isEqualTo(IdentityConfig.localOnly());
    }

    @Test
    void everyKey_isRead() throws IOException {
        IdentityConfig identity = load(
                "identity:",
                "  oidc: {issuer: 'https://login.example.com/oauth2/default', audience: countersign, groupsClaim: roles, emailClaim: mail,",
                "         nameClaim: upn, clockSkew: 30s, clientIdClaims: [cid], humanClients: [console, cli], groupsClaimPaths: strip,",
                "         requireVerifiedEmail: true, keysRefresh: 2m}",
                "  roles: {admin: [countersign-admins], auditor: [security-auditors, compliance]}",
                "  agents:",
                "    - {clientId: 0oa-ci, name: ci, labels: {team: platform}, scopes: ['deploy.*', 'db.query']}",
                "  breakGlass: {group: incident-commanders}",
                "  stepUp: {maxAge: 5m}");

        OidcSettings oidc = identity.oidc().orElseThrow();
        assertThat(oidc.issuer()).isEqualTo(URI.create("https://login.example.com/oauth2/default"));
        assertThat(oidc.audience()).isEqualTo("countersign");
        assertThat(oidc.groupsClaim()).isEqualTo("roles");
        assertThat(oidc.emailClaim()).isEqualTo("mail");
        assertThat(oidc.nameClaims()).containsExactly("upn");
        assertThat(oidc.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(oidc.clientIdClaims()).containsExactly("cid");
        assertThat(oidc.humanClients()).containsExactlyInAnyOrder("console", "cli");
        assertThat(oidc.groupsClaimPaths()).isEqualTo(OidcSettings.GroupPaths.STRIP);
        assertThat(oidc.requireVerifiedEmail()).isTrue();
        assertThat(oidc.keysRefresh()).isEqualTo(Duration.ofMinutes(2));
        assertThat(identity.adminGroups()).isEqualTo(Set.of("countersign-admins"));
        assertThat(identity.auditorGroups()).isEqualTo(Set.of("security-auditors", "compliance"));
        assertThat(identity.clientAgents()).singleElement().satisfies(client -> {
            assertThat(client.subject()).isEqualTo("0oa-ci");
            assertThat(client.agent().name()).isEqualTo("ci");
            assertThat(client.agent().labels()).isEqualTo(Map.of("team", "platform"));
            assertThat(client.scopes().texts()).isEqualTo(Optional.of(List.of("deploy.*", "db.query")));
        });
        assertThat(identity.breakGlassGroup()).contains("incident-commanders");
        assertThat(identity.stepUpMaxAge()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void defaults_forClaimsAndSkew() throws IOException {
        OidcSettings oidc = load("identity:", "  oidc: {issuer: 'https://login.example.com', audience: countersign}")
                .oidc()
                .orElseThrow();

        assertThat(oidc.nameClaims()).containsExactly("preferred_username", "email");
        assertThat(oidc.emailClaim()).isEqualTo("email");
        assertThat(oidc.groupsClaim()).isEqualTo("groups");
        assertThat(oidc.clientIdClaims()).containsExactly("azp", "client_id");
        assertThat(oidc.humanClients())
                .as("filled in with the console's client at start")
                .isEmpty();
        assertThat(oidc.groupsClaimPaths()).isEqualTo(OidcSettings.GroupPaths.REFUSE);
        assertThat(oidc.requireVerifiedEmail()).isFalse();
        assertThat(oidc.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(oidc.keysRefresh()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void mistakes_areErrorsNamingTheKey() {
        assertThatThrownBy(() -> load("identity:", "  oidc: {issuer: 'https://login.example.com', audiense: x}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'audiense' in identity.oidc");
        assertThatThrownBy(() -> load("identity:", "  oidc: {issuer: 'https://login.example.com'}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'identity.oidc.audience' is required");
        assertThatThrownBy(() -> load("identity:", "  oidc: {issuer: 'http://login.example.com', audience: x}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be https");
        assertThatThrownBy(() -> load("identity:", "  agents: [{clientId: c, name: ci}]"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("client agents need an OIDC provider");
        assertThatThrownBy(() -> load("identity:", "  roles: {admin: admins}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'identity.roles.admin' must be a list of strings");
    }
}
