package io.countersign.proxy.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionActionsPolicyTest {
    private static final SessionActionsPolicy POLICY = new SessionActionsPolicy(Policy.parse("p.yaml", """
            default: allow
            rules:
              - name: shells-on-staging
                match: {action: "ssh.shell", resource: "ssh/staging"}
                effect: require_approval
                approval: {groups: [ops], quorum: 1, timeout: 30m}
            """));

    private static Decision decide(io.countersign.action.Action action) {
        return POLICY.decide(new DecisionInput(action, Agent.named("robot"), Instant.now()));
    }

    @Test
    void aShellSftpOrForwardNoRuleNamesIsDeniedUnderDefaultAllow() {
        Decision shell = decide(SshActions.shell("prod", Optional.of("xterm")));
        assertThat(shell.effect()).isEqualTo(Effect.DENY);
        assertThat(shell.rules()).containsExactly(SessionActionsPolicy.RULE);
        assertThat(decide(SshActions.sftp("prod")).effect()).isEqualTo(Effect.DENY);
    }

    @Test
    void aRuleThatNamesTheShellDecidesIt() {
        assertThat(decide(SshActions.shell("staging", Optional.empty())).effect())
                .isEqualTo(Effect.REQUIRE_APPROVAL);
    }

    @Test
    void commandsFollowThePolicysDefault() {
        assertThat(decide(SshActions.exec("prod", "uptime", List.of("uptime"))).effect())
                .isEqualTo(Effect.ALLOW);
    }
}
