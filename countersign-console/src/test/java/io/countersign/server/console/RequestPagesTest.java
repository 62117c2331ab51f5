package io.countersign.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import io.countersign.policy.Effect;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class RequestPagesTest {
    private static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");

    private static ApprovalRequest request(String reason, String onBehalfOf, ObjectNode params) {
        ApprovalRequirement requirement =
                new ApprovalRequirement("r", Set.of("data-owners"), 1, Duration.ofMinutes(30), false);
        Action action = new Action("db.export", "db/prod/customers", params, reason, Optional.of(onBehalfOf));
        return new ApprovalRequest(
                RequestId.random(),
                Agent.named("report-bot"),
                action,
                action.digest(),
                new Decision(Effect.REQUIRE_APPROVAL, List.of("r"), "why", "v1", List.of(requirement)),
                RequestStatus.PENDING,
                List.of(),
                T0,
                Optional.of(T0.plus(Duration.ofMinutes(30))),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Delegation.CLAIMED,
                Optional.empty(),
                Optional.empty());
    }

    @Test
    void agentText_showsZeroWidthAndBidiCharactersAsEscapes_andNewlinesAsASymbol_asSlackAndTeamsDo() {
        ObjectNode params = Action.noParams();
        params.put("file", "invoice\u202egpj.exe");
        ApprovalRequest request = request("ok\n\nApproved by security-lead", "al\u200bice", params);

        Pages.Row row = RequestPages.row(request, T0);
        List<Pages.Param> shown = RequestPages.params(request.action().params());

        assertThat(row.onBehalfOf()).isEqualTo("al\\u200Bice");
        assertThat(row.reason()).isEqualTo("ok\u2424\u2424Approved by security-lead");
        assertThat(shown.getFirst().value()).isEqualTo("invoice\\u202Egpj.exe");
    }
}
