package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.policy.internal.YamlJson;
import io.countersign.policy.internal.YamlReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;
import tools.jackson.databind.node.ObjectNode;

/**
 * Expected decisions for a policy, as data: what {@code countersign policy test POLICY CASES} runs.
 * A cases file is a YAML list; each case is
 *
 * <pre>{@code
 * - name: selects-are-allowed            # required, unique
 *   action: db.query                     # required
 *   resource: db/prod/customers          # required
 *   params: {statement_kind: select}     # optional, default {}
 *   agent: {name: etl-bot, labels: {team: data}}   # optional, default {name: policy-test-agent}
 *   onBehalfOf: alice@example.com        # optional
 *   time: 2025-01-08T12:00:00Z           # optional ISO-8601, default 2025-01-08T12:00:00Z (a Wednesday)
 *   expect: allow                        # required: allow, deny or require_approval
 *   rules: [reads-are-free]              # optional: exactly the rules the decision must name, in order
 * }</pre>
 */
public final class PolicyTestCases {
    /** When a case gives no time: fixed, so that time-dependent rules give the same answer every run. */
    public static final Instant DEFAULT_TIME = Instant.parse("2025-01-08T12:00:00Z");

    public static final String DEFAULT_AGENT = "policy-test-agent";
    static final String EXAMPLE_RESOURCE = "example-policy.cases.yaml";

    private static final Set<String> CASE_KEYS =
            YamlReader.keys("name", "action", "resource", "params", "agent", "onBehalfOf", "time", "expect", "rules");
    private static final Set<String> AGENT_KEYS = YamlReader.keys("name", "labels");

    /** One expectation: a decision input and the effect (and optionally the rules) it must get. */
    public record Case(String name, int line, DecisionInput input, Effect expect, Optional<List<String>> rules) {
        public Case {
            requireNonNull(name, "name is null");
            requireNonNull(input, "input is null");
            requireNonNull(expect, "expect is null");
            rules = requireNonNull(rules, "rules is null").map(List::copyOf);
        }
    }

    /** A case's outcome: the decision it got and, when it failed, what differed (expected vs actual). */
    public record Result(Case testCase, Decision actual, Optional<String> failure) {
        public Result {
            requireNonNull(testCase, "testCase is null");
            requireNonNull(actual, "actual is null");
            requireNonNull(failure, "failure is null");
        }

        public boolean passed() {
            return failure.isEmpty();
        }

        /** {@code PASS name} or {@code FAIL name (line N): expected ..., got ...}: one line for the command line. */
        public String summary() {
            return failure.map(why -> "FAIL " + testCase.name() + " (line " + testCase.line() + "): " + why)
                    .orElse("PASS " + testCase.name());
        }
    }

    private final String fileName;
    private final List<Case> cases;

    private PolicyTestCases(String fileName, List<Case> cases) {
        this.fileName = fileName;
        this.cases = List.copyOf(cases);
    }

    /** @throws PolicyException naming the file, line and case of the first problem */
    public static PolicyTestCases parse(String fileName, String yaml) {
        requireNonNull(fileName, "fileName is null");
        requireNonNull(yaml, "yaml is null");
        YamlReader reader = YamlReader.forFile(fileName);
        Node root = reader.compose(yaml);
        List<Case> cases = new ArrayList<>();
        Map<String, Integer> lineByName = new HashMap<>();
        for (Node node : reader.sequence(root, "a cases file")) {
            Case parsed = parseCase(reader, node, cases.size() + 1);
            Integer first = lineByName.putIfAbsent(parsed.name(), parsed.line());
            if (first != null) {
                throw reader.forRule(parsed.name())
                        .error(node, "duplicate case name '" + parsed.name() + "'; the first is on line " + first);
            }
            cases.add(parsed);
        }
        if (cases.isEmpty()) {
            throw reader.error(root, "no test cases");
        }
        return new PolicyTestCases(fileName, cases);
    }

    /** @throws PolicyException when the file cannot be read or is not a valid cases file */
    public static PolicyTestCases load(Path file) {
        requireNonNull(file, "file is null");
        try {
            return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new PolicyException(file.toString(), 0, Optional.empty(), "cannot read the test cases: " + e, e);
        }
    }

    /** The cases for {@link Policy#bundledExample()}. */
    public static PolicyTestCases bundledExample() {
        try (InputStream in = PolicyTestCases.class.getResourceAsStream(EXAMPLE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "bug: " + EXAMPLE_RESOURCE + " is missing from the countersign-core jar");
            }
            return parse(EXAMPLE_RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled " + EXAMPLE_RESOURCE, e);
        }
    }

    /** Decides every case with {@code policy}; one result per case, in file order. */
    public List<Result> run(PolicyEngine policy) {
        requireNonNull(policy, "policy is null");
        return cases.stream()
                .map(testCase -> check(testCase, policy.decide(testCase.input())))
                .toList();
    }

    public String fileName() {
        return fileName;
    }

    public List<Case> cases() {
        return cases;
    }

    private static Result check(Case testCase, Decision actual) {
        String got = actual.effect().wireName() + " (rules " + actual.rules() + "; reason: " + actual.reason() + ")";
        if (actual.effect() != testCase.expect()) {
            return new Result(
                    testCase,
                    actual,
                    Optional.of("expected " + testCase.expect().wireName() + ", got " + got));
        }
        if (testCase.rules().isPresent() && !testCase.rules().get().equals(actual.rules())) {
            return new Result(
                    testCase,
                    actual,
                    Optional.of("expected rules " + testCase.rules().get() + ", got " + got));
        }
        return new Result(testCase, actual, Optional.empty());
    }

    private static Case parseCase(YamlReader fileReader, Node node, int number) {
        Map<String, Node> entries = fileReader.mapping(node, "case #" + number, CASE_KEYS);
        String name = fileReader.string(fileReader.required(entries, "name", node, "case #" + number), "name");
        YamlReader reader = fileReader.forRule(name);
        String actionName = reader.string(reader.required(entries, "action", node, "case"), "action");
        String resource = reader.string(reader.required(entries, "resource", node, "case"), "resource");
        ObjectNode params = Optional.ofNullable(entries.get("params"))
                .filter(n -> !YamlReader.isNull(n))
                .map(n -> YamlJson.object(reader, n, "params"))
                .orElseGet(Action::noParams);
        Optional<String> onBehalfOf =
                Optional.ofNullable(entries.get("onBehalfOf")).map(n -> reader.string(n, "onBehalfOf"));
        Action action;
        try {
            action = new Action(actionName, resource, params, "policy test case '" + name + "'", onBehalfOf);
        } catch (IllegalArgumentException e) {
            throw reader.error(node, java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
        Agent agent = Optional.ofNullable(entries.get("agent"))
                .map(n -> agent(reader, n))
                .orElse(Agent.named(DEFAULT_AGENT));
        Instant time = Optional.ofNullable(entries.get("time"))
                .map(n -> time(reader, n))
                .orElse(DEFAULT_TIME);

        Node expectNode = reader.required(entries, "expect", node, "case");
        String expectText = reader.string(expectNode, "expect");
        Effect expect;
        try {
            expect = Effect.fromWireName(expectText);
        } catch (IllegalArgumentException e) {
            throw reader.error(expectNode, "unknown expect '" + expectText + "'; want allow, deny or require_approval");
        }
        Optional<List<String>> rules = Optional.ofNullable(entries.get("rules"))
                .map(n -> reader.sequence(n, "rules").stream()
                        .map(rule -> reader.string(rule, "a rule in rules"))
                        .toList());
        return new Case(name, YamlReader.line(node), new DecisionInput(action, agent, time), expect, rules);
    }

    private static Agent agent(YamlReader reader, Node node) {
        Map<String, Node> entries = reader.mapping(node, "agent", AGENT_KEYS);
        String name = reader.string(reader.required(entries, "name", node, "agent"), "agent.name");
        Map<String, String> labels = new LinkedHashMap<>();
        Node labelsNode = entries.get("labels");
        if (labelsNode != null) {
            Map<String, Node> labelNodes = reader.openMapping(labelsNode, "agent.labels");
            labelNodes.forEach((key, value) -> labels.put(key, reader.string(value, "agent.labels." + key)));
        }
        return new Agent(name, labels);
    }

    private static Instant time(YamlReader reader, Node node) {
        String text = reader.scalarText(node, "time");
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw reader.error(
                    node, "time '" + text + "' is not an ISO-8601 date-time with an offset, e.g. 2025-01-08T12:00:00Z");
        }
    }
}
