package io.countersign.server;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.server.config.ServerConfig;
import io.countersign.server.identity.IdentityConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** A real gateway on a free loopback port, over a data folder the test owns; restartable. */
final class TestGateway implements AutoCloseable {
    private final Path data;
    private final Path policy;
    private final IdentityConfig identity;
    private final UnaryOperator<ServerConfig> customize;
    private final Clock clock;
    private Gateway gateway;
    private String auditor;
    Http http;

    TestGateway(Path directory) {
        this(directory, IdentityConfig.localOnly(), "/e2e-policy.yaml");
    }

    /** With an identity section (OIDC, roles, break-glass...) and a policy from the test resources. */
    TestGateway(Path directory, IdentityConfig identity, String policyResource) {
        this(directory, identity, policyResource, UnaryOperator.identity());
    }

    /** With the config changed further by {@code customize} (channels, webhooks, outbox retries...). */
    TestGateway(Path directory, IdentityConfig identity, String policyResource, UnaryOperator<ServerConfig> customize) {
        this(directory, identity, policyResource, customize, Clock.systemUTC());
    }

    /** On a clock the test controls (session lifetimes, re-checks at the provider). */
    TestGateway(
            Path directory,
            IdentityConfig identity,
            String policyResource,
            UnaryOperator<ServerConfig> customize,
            Clock clock) {
        this.customize = customize;
        this.clock = clock;
        this.data = directory.resolve("data");
        this.policy = directory.resolve("policy.yaml");
        this.identity = identity;
        try (InputStream in = TestGateway.class.getResourceAsStream(policyResource)) {
            Files.write(policy, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    void start() {
        start(0);
    }

    private void start(int port) {
        gateway = Gateway.start(
                customize.apply(ServerConfig.defaults()
                        .withDataDirectory(data)
                        .withPolicyFile(policy)
                        .withPort(port)
                        .withIdentity(withTestAuditors(identity))),
                clock);
        http = new Http(gateway.baseUrl());
    }

    /** Stops and starts again on the same port, as a restarted server would: clients that hold the address reconnect to it. */
    void restartOnTheSameAddress() {
        int port = java.net.URI.create(gateway.baseUrl()).getPort();
        stop();
        start(port);
    }

    void restart() {
        stop();
        start();
    }

    void stop() {
        gateway.close();
    }

    Path policyFile() {
        return policy;
    }

    String baseUrl() {
        return gateway.baseUrl();
    }

    /** Reading audit entries takes an auditor (or admin): every test gateway has the group {@value #AUDITORS} in the auditor role. */
    static final String AUDITORS = "test-auditors";

    private static IdentityConfig withTestAuditors(IdentityConfig identity) {
        java.util.Set<String> auditors = new java.util.HashSet<>(identity.auditorGroups());
        auditors.add(AUDITORS);
        return identity.withRoles(identity.adminGroups(), auditors);
    }

    /** A human in the auditor role, made on first use, for tests that read the audit entries. */
    String auditor() {
        if (auditor == null) {
            auditor = human("test-auditor", AUDITORS);
        }
        return auditor;
    }

    String agent(String name) {
        return issue(new Agent(name, Map.of("team", "test")));
    }

    String human(String name, String... groups) {
        return issue(new Human(name, name + "@example.com", Set.of(groups)));
    }

    /** Credentials go in as the CLI puts them: straight into the store, while the gateway runs. */
    private String issue(io.countersign.identity.Principal principal) {
        return TestCredentials.issue(data, principal);
    }

    Gateway gateway() {
        return gateway;
    }

    Path data() {
        return data;
    }

    @Override
    public void close() {
        gateway.close();
    }
}
