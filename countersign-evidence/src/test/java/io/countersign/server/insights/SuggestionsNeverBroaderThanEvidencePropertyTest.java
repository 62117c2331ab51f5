package io.countersign.server.insights;

import static io.countersign.server.insights.History.Outcome.APPROVED;
import static io.countersign.server.insights.History.Outcome.DENIED;
import static io.countersign.server.insights.History.Outcome.EXPIRED;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import io.countersign.workflow.ApprovalRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * For generated histories: every suggested rule, replayed alone against that history, changes only
 * requests that humans decided the same way; and an allow rule admits nothing outside the
 * resources and parameter values humans approved for that agent and action.
 */
class SuggestionsNeverBroaderThanEvidencePropertyTest {
    private static final List<String> AGENTS = List.of("reporter", "exporter", "builder");
    private static final List<String> RESOURCES = List.of(
            "db/analytics/t0",
            "db/analytics/t1",
            "db/analytics/eu/t2",
            "db/prod/customers",
            "db/prod/orders",
            "db/billing/invoices");
    private static final List<String> FORMATS = List.of("csv", "json", "parquet");
    private static final List<String> COMMANDS = List.of(
            "rm -rf /srv/x",
            "terraform plan",
            "npm run format",
            "ls --all-files /tmp",
            "cat /etc/passwd",
            "sudo reboot now",
            "rm /tmp/a");

    /** One generated request: indexes into the lists above, and how a mixed family would have decided it. */
    record Event(int agent, int kind, int resource, int rows, int format, int command, History.Outcome ownOutcome) {}

    @Provide
    Arbitrary<List<Event>> histories() {
        Arbitrary<Event> event = Combinators.combine(
                        Arbitraries.integers().between(0, AGENTS.size() - 1),
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, RESOURCES.size() - 1),
                        Arbitraries.integers().between(0, 100_000),
                        Arbitraries.integers().between(0, FORMATS.size() - 1),
                        Arbitraries.integers().between(0, COMMANDS.size() - 1),
                        Arbitraries.of(APPROVED, APPROVED, DENIED, EXPIRED))
                .as(Event::new);
        return event.list().ofMinSize(10).ofMaxSize(90);
    }

    @Property(tries = 200)
    void everySuggestedRuleChangesOnlyWhatHumansDecidedTheSameWay_andAllowsNothingOutsideTheEvidence(
            @ForAll("histories") List<Event> events,
            @ForAll @IntRange(min = 2, max = 6) int minCount,
            @ForAll @IntRange(min = 0, max = 2) int salt) {
        History history = build(events, salt);
        List<ApprovalRequest> requests = history.requests();

        List<Suggestion> suggestions = new SuggestionFinder(minCount, Optional.of(history.policy()))
                .find(requests, History.START, history.end());
        Statistics.label("allow").collect(suggestions.stream().anyMatch(s -> s.effect() == Effect.ALLOW));
        Statistics.label("deny").collect(suggestions.stream().anyMatch(s -> s.effect() == Effect.DENY));
        // Not vacuous: enough generated histories do get suggestions of each kind. Measured over
        // 600 tries: 26 % get an allow, 53 % a deny. At 200 tries these floors sit five standard
        // deviations below (30 tries and an 8 % floor failed about one run in a hundred).
        Statistics.label("allow").coverage(c -> c.check(true).percentage(p -> p >= 10));
        Statistics.label("deny").coverage(c -> c.check(true).percentage(p -> p >= 30));

        for (Suggestion suggestion : suggestions) {
            Policy alone = Policy.parse("s.yaml", "rules:\n" + suggestion.ruleYaml());
            for (ApprovalRequest request : requests) {
                if (!matches(alone, suggestion, request.action(), request)) {
                    continue;
                }
                if (suggestion.effect() == Effect.ALLOW) {
                    assertThat(Verdict.humanApproved(request))
                            .as("%s matches %s, which humans did not approve", suggestion.ruleName(), request)
                            .isTrue();
                } else {
                    assertThat(Verdict.of(request) == Verdict.DENIED
                                    || request.decision().effect() == Effect.DENY)
                            .as("%s matches %s, which was not denied", suggestion.ruleName(), request)
                            .isTrue();
                }
            }
            if (suggestion.effect() == Effect.ALLOW) {
                allowsNothingOutsideTheEvidence(suggestion, alone, requests);
            }
        }
    }

    private static void allowsNothingOutsideTheEvidence(
            Suggestion suggestion, Policy alone, List<ApprovalRequest> requests) {
        ApprovalRequest sample = requests.stream()
                .filter(request -> matches(alone, suggestion, request.action(), request))
                .findFirst()
                .orElseThrow(() -> new AssertionError(suggestion.ruleName() + " matches none of its evidence"));
        List<ApprovalRequest> approved = requests.stream()
                .filter(Verdict::humanApproved)
                .filter(r -> r.agent().name().equals(sample.agent().name()))
                .filter(r -> r.action().action().equals(sample.action().action()))
                .toList();
        Set<String> resources =
                approved.stream().map(r -> r.action().resource()).collect(Collectors.toSet());
        for (Action probe : probes(sample.action())) {
            if (!matches(alone, suggestion, probe, sample)) {
                continue;
            }
            assertThat(resources)
                    .as("%s allows %s", suggestion.ruleName(), probe)
                    .contains(probe.resource());
            probe.paramsView().properties().forEach(entry -> {
                List<JsonNode> seen = approved.stream()
                        .map(r -> r.action().paramsView().get(entry.getKey()))
                        .filter(value -> value != null)
                        .toList();
                assertThat(seen)
                        .as("%s allows the unseen parameter in %s", suggestion.ruleName(), probe)
                        .isNotEmpty();
                JsonNode value = entry.getValue();
                if (value.isNumber()) {
                    double low = seen.stream()
                            .mapToDouble(JsonNode::doubleValue)
                            .min()
                            .orElseThrow();
                    double high = seen.stream()
                            .mapToDouble(JsonNode::doubleValue)
                            .max()
                            .orElseThrow();
                    assertThat(value.doubleValue())
                            .as("%s allows %s", suggestion.ruleName(), probe)
                            .isBetween(low, high);
                } else {
                    assertThat(seen)
                            .as("%s allows %s", suggestion.ruleName(), probe)
                            .contains(value);
                }
            });
        }
    }

    /** The evidence request and its neighbours just outside it: a sibling resource, a deeper one, numbers past the ends, another format, an extra key. */
    private static List<Action> probes(Action action) {
        List<Action> probes = new ArrayList<>();
        probes.add(action);
        probes.add(with(action, action.resource() + "-gateway", null));
        probes.add(with(action, action.resource() + "/deeper", null));
        String folder = action.resource().substring(0, action.resource().lastIndexOf('/'));
        probes.add(with(action, folder + "/never-asked", null));
        for (int rows : List.of(-1, 0, 100_001, 999_999_999)) {
            ObjectNode params = (ObjectNode) action.paramsView().deepCopy();
            params.put("rows", rows);
            probes.add(with(action, action.resource(), params));
        }
        for (String format : FORMATS) {
            ObjectNode params = (ObjectNode) action.paramsView().deepCopy();
            params.put("format", format);
            probes.add(with(action, action.resource(), params));
        }
        ObjectNode extra = (ObjectNode) action.paramsView().deepCopy();
        extra.put("where", "1=1");
        probes.add(with(action, action.resource(), extra));
        return probes;
    }

    private static Action with(Action action, String resource, ObjectNode params) {
        return Action.of(
                action.action(),
                resource,
                params == null ? (ObjectNode) action.paramsView().deepCopy() : params,
                "probe");
    }

    private static boolean matches(Policy alone, Suggestion suggestion, Action action, ApprovalRequest asking) {
        return alone.decide(new DecisionInput(action, asking.agent(), asking.createdAt(), asking.delegation()))
                .rules()
                .contains(suggestion.ruleName());
    }

    /**
     * The events as a history under {@link SuggestionBoundsTest#POLICY}. A (agent, folder) pair
     * decides unanimously (approve or deny, by {@code salt}) or each request its own way, so that
     * generated histories have both suggestions and contradictions.
     */
    private static History build(List<Event> events, int salt) {
        History history =
                new History(Policy.parse("policy.yaml", SuggestionBoundsTest.POLICY)).every(Duration.ofMinutes(13));
        for (Event event : events) {
            String agent = AGENTS.get(event.agent());
            String resource = RESOURCES.get(event.resource());
            String folder = resource.substring(0, resource.lastIndexOf('/'));
            int mode = Math.floorMod(agent.hashCode() + folder.hashCode() + salt, 3);
            History.Outcome outcome = mode == 0 ? APPROVED : mode == 1 ? DENIED : event.ownOutcome();
            switch (event.kind()) {
                case 0 -> history.add(agent, "db.query", resource, SuggestionBoundsTest.params(Map.of()), outcome);
                case 1 ->
                    history.add(
                            agent,
                            "db.export",
                            resource,
                            SuggestionBoundsTest.params(
                                    Map.of("rows", event.rows(), "format", FORMATS.get(event.format()))),
                            outcome);
                default -> {
                    String command = COMMANDS.get(event.command());
                    if (command.startsWith("ls ")) {
                        history.shell(agent, command, History.Outcome.NONE);
                    } else {
                        history.shell(agent, command, command.contains("rm") ? DENIED : outcome);
                    }
                }
            }
        }
        return history;
    }

    static Set<String> names(List<Suggestion> suggestions) {
        return suggestions.stream().map(Suggestion::ruleName).collect(Collectors.toCollection(TreeSet::new));
    }
}
