package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.server.policychange.PolicyChangeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code policyChanges:} section of countersign.yaml: who approves a policy change, and whether disk edits hot-reload. */
class PolicyChangesConfigFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("countersign.yaml"), yaml);
    }

    @Test
    void theApproversQuorumTimeoutAndReloadSwitch_areRead() throws Exception {
        PolicyChangeSettings settings = ConfigFile.load(
                        write(
                                "policyChanges: {approvers: [policy-admins, security], quorum: 2, timeout: 12h, reloadFromDisk: false}\n"))
                .policyChanges();

        assertThat(settings)
                .isEqualTo(
                        new PolicyChangeSettings(Set.of("policy-admins", "security"), 2, Duration.ofHours(12), false));
        assertThat(settings.enabled()).isTrue();
    }

    @Test
    void withoutASection_changesThroughTheApiAreOff_andTheFileHotReloads() throws Exception {
        PolicyChangeSettings settings = ConfigFile.load(write("data: ./data\n")).policyChanges();

        assertThat(settings.enabled()).isFalse();
        assertThat(settings.reloadFromDisk()).isTrue();
    }

    @Test
    void mistakes_areNamed() throws Exception {
        assertThatThrownBy(() -> ConfigFile.load(write("policyChanges: {approvers: []}\n")))
                .hasMessageContaining("'policyChanges.approvers' must be a non-empty list");
        assertThatThrownBy(() -> ConfigFile.load(write("policyChanges: {approvers: [a], quorum: 0}\n")))
                .hasMessageContaining("policyChanges.quorum is 0");
        assertThatThrownBy(() -> ConfigFile.load(write("policyChanges: {approvers: [a], reloadFromDisk: nope}\n")))
                .hasMessageContaining("'policyChanges.reloadFromDisk' must be true or false");
        assertThatThrownBy(() -> ConfigFile.load(write("policyChanges: {approver: [a]}\n")))
                .hasMessageContaining("unknown key 'approver' in policyChanges");
    }
}
