package io.countersign.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.OnBehalfOf;
import io.countersign.identity.PersonVariants;
import io.countersign.policy.ApprovalRequirement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Every spelling of a human's name or email that reads as theirs is refused at submission, or
 * accepted and then the vote of that human refused; and "the human this request acts for" as the
 * evidence report computes it ({@link OnBehalfOf#names}, from what was sent and whom it resolved
 * to) agrees with the vote rule on each.
 */
class ConfusableVariantsPropertyTest {
    private static final ApprovalRequirement APPROVERS =
            new ApprovalRequirement("needs-approval", Set.of("approvers"), 1, Duration.ofHours(1));
    private static final Human APPROVER = new Human("zed-approver", "zed@approvers.example", Set.of("approvers"));

    record Case(Human human, String variant) {}

    @Property(tries = 2000)
    void everyVariantIsRefusedAtSubmissionOrAtTheVote(@ForAll("variants") Case sample) {
        Human human = sample.human();
        Workflow workflow = ConfusableOnBehalfOfTest.workflow(APPROVERS, List.of(human.person(), APPROVER.person()));
        Action action = new Action("x.do", "r/1", Action.noParams(), "why", Optional.of(sample.variant()));
        ApprovalRequest request;
        try {
            request = workflow.submit(Agent.named("bot"), action, Optional.empty());
        } catch (WorkflowException.BadInput refused) {
            assertThat(refused.field()).isEqualTo("onBehalfOf");
            Statistics.collect("refused at submission");
            return;
        }
        assertThat(request.resolvedOnBehalfOf())
                .as("resolved to the human it spells")
                .contains(human.person());
        assertThatThrownBy(() -> workflow.approve(human, request.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class);
        Human otherIdentity =
                new Human("other-" + human.name(), human.email().toUpperCase(java.util.Locale.ROOT), human.groups());
        assertThat(workflow.whyNotAllowedToVote(otherIdentity, request))
                .as("the same person under another identity")
                .isPresent();
        assertThat(request.onBehalfOf().orElseThrow().names(human.person()))
                .as("the evidence report agrees")
                .isTrue();
        Statistics.collect("refused at the vote");
    }

    @Provide
    Arbitrary<Case> variants() {
        Arbitrary<Human> humans = Combinators.combine(
                        Arbitraries.strings()
                                .withChars("abcdefghijklmnopqrstuvwxyz")
                                .ofMinLength(3)
                                .ofMaxLength(10),
                        Arbitraries.of("example.com", "corp.example", "mail.example.org"))
                .as((name, domain) -> new Human(name, name + "@" + domain, Set.of("approvers")));
        return humans.flatMap(human -> PersonVariants.of(human).map(variant -> new Case(human, variant)));
    }
}
