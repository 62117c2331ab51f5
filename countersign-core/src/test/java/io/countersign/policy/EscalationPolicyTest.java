package io.countersign.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code approval.notify.slack: {dm: true}} and {@code approval.escalate: {after, to}} in a policy file. */
class EscalationPolicyTest {
    private static final String RULE =
            "rules:\n  - name: exports\n    match: {action: db.export}\n    effect: require_approval\n";

    private static ApprovalRequirement approvalOf(String approval) {
        Policy policy = Policy.parse("policy.yaml", RULE + "    approval: " + approval + "\n");
        return policy.rules().getFirst().approval().orElseThrow();
    }

    @Test
    void readsAnEscalationToGroupsAndAChannel() {
        ApprovalRequirement approval = approvalOf(
                "{groups: [data-owners], timeout: 1h, escalate: {after: 15m, to: [security-leads, 'slack:C0ESC']}}");

        Escalation escalation = approval.escalation().orElseThrow();
        assertThat(escalation.after()).isEqualTo(Duration.ofMinutes(15));
        assertThat(escalation.groups()).containsExactly("security-leads");
        assertThat(escalation.notifyTo()).containsExactly(Map.entry("slack", "C0ESC"));
    }

    @Test
    void readsDirectMessagesWithOrWithoutAChannel() {
        assertThat(approvalOf("{groups: [ops], notify: {slack: {dm: true}}}").directTo())
                .containsExactly("slack");
        ApprovalRequirement both = approvalOf("{groups: [ops], notify: {slack: {channel: C0123, dm: true}}}");
        assertThat(both.directTo()).isEqualTo(Set.of("slack"));
        assertThat(both.notifyTo()).containsExactly(Map.entry("slack", "C0123"));
        assertThat(approvalOf("{groups: [ops], notify: {slack: C0123}}").directTo())
                .isEmpty();
        assertThat(approvalOf("{groups: [ops]}").escalation()).isEmpty();
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of(
                        "{groups: [a], escalate: {after: soon, to: [b]}}",
                        "approval.escalate.after 'soon' is not a duration; want a whole number and a unit s, m, h or d"),
                Arguments.of(
                        "{groups: [a], timeout: 10m, escalate: {after: 15m, to: [b]}}",
                        "approval.escalate.after is 15m, not before the timeout: the request would expire before it"
                                + " escalates"),
                Arguments.of("{groups: [a], escalate: {after: 2h, to: [b]}}", "not before the default timeout (1h)"),
                Arguments.of("{groups: [a], escalate: {to: [b]}}", "'after'"),
                Arguments.of("{groups: [a], escalate: {after: 5m}}", "'to'"),
                Arguments.of("{groups: [a], escalate: {after: 5m, to: []}}", "approval.escalate: escalate.to is empty"),
                Arguments.of(
                        "{groups: [a], escalate: {after: 5m, to: ['teams:x']}}",
                        "approval.escalate.to has 'teams:x'; want a group name or a channel as kind:where, kind one of"
                                + " [slack]"),
                Arguments.of("{groups: [a], escalate: {after: 5m, to: [b], when: 1}}", "unknown key 'when'"),
                Arguments.of("{groups: [a], notify: {slack: {dm: yes please}}}", "approval.notify.slack.dm"),
                Arguments.of("{groups: [a], notify: {slack: {dms: true}}}", "unknown key 'dms'"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("errors")
    void refusesAnEscalationOrDirectMessageItCannotFollowNamingTheLine(String approval, String detail) {
        PolicyException error = catchThrowableOfType(
                PolicyException.class, () -> Policy.parse("policy.yaml", RULE + "    approval: " + approval + "\n"));

        assertThat(error).as("an error for %s", approval).isNotNull();
        assertThat(error.detail()).contains(detail);
        assertThat(error.line()).isEqualTo(5);
        assertThat(error.getMessage()).contains("policy.yaml").contains("exports");
    }
}
