package io.countersign.workflow;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/** A workflow over the in-memory store, a fake clock and a stub policy, with the people of the scenarios. */
final class WorkflowFixture {
    static final Duration TIMEOUT = Duration.ofMinutes(30);
    static final ApprovalRequirement DATA_OWNERS =
            new ApprovalRequirement("exports-need-a-data-owner", Set.of("data-owners"), 1, TIMEOUT);
    static final ApprovalRequirement TWO_SECURITY =
            new ApprovalRequirement("rotation-needs-two", Set.of("security"), 2, TIMEOUT);
    static final ApprovalRequirement ONE_SRE =
            new ApprovalRequirement("also-sre", Set.of("sre"), 1, Duration.ofMinutes(10));

    final Agent reporter = new Agent("reporter", Map.of("team", "analytics"));
    final Agent other = Agent.named("other-agent");
    final Human alice = new Human("alice", "alice@example.com", Set.of("data-owners", "security"));
    final Human bob = new Human("bob", "bob@example.com", Set.of("data-owners", "security", "sre"));
    final Human carol = new Human("carol", "carol@example.com", Set.of("security"));
    final Human mallory = new Human("mallory", "mallory@example.com", Set.of("engineering"));

    final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
    final InMemoryStore store = new InMemoryStore();
    final List<ApprovalRequest> changes = new ArrayList<>();
    final Workflow workflow;

    WorkflowFixture() {
        StubPolicy policy = new StubPolicy(Map.of(
                "db.query", StubPolicy.allow("reads-are-free"),
                "iam.grant", StubPolicy.deny("agents-never-touch-iam", "agents may not change IAM"),
                "db.export", StubPolicy.requireApproval(DATA_OWNERS),
                "secrets.rotate", StubPolicy.requireApproval(TWO_SECURITY),
                "deploy.production", StubPolicy.requireApproval(DATA_OWNERS, ONE_SRE)));
        workflow = new Workflow(
                policy,
                store,
                clock,
                new GrantTokens(new byte[32]),
                new VotingRule(),
                changes::add,
                new WorkflowSettings(Duration.ofMinutes(5)));
    }

    static Action action(String name, String resource) {
        ObjectNode params = Action.noParams();
        params.put("rows", 1000);
        return new Action(name, resource, params, "weekly report", Optional.empty());
    }

    static Action onBehalfOf(String name, String resource, String human) {
        return new Action(name, resource, Action.noParams(), "asked by " + human, Optional.of(human));
    }

    ApprovalRequest submit(Action action) {
        return workflow.submit(reporter, action, Optional.empty());
    }

    ApprovalRequest pendingExport() {
        return submit(action("db.export", "db/prod/customers"));
    }

    String grantOf(ApprovalRequest request) {
        return workflow.grantToken(request)
                .orElseThrow(() -> new AssertionError("request " + request.id() + " has no usable grant"));
    }

    static Decision decisionOf(ApprovalRequest request) {
        return request.decision();
    }
}
