package io.countersign.policy.internal;

import static java.util.Objects.requireNonNull;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rule's {@code when}: a CEL expression parsed, type-checked (it must be a bool) and planned once
 * at load. The planned program is immutable and shared by every thread that decides.
 *
 * <p>Variables: {@code action}, {@code resource} (strings), {@code params} (the action's JSON params
 * as a {@code map(string, dyn)}), {@code agent} ({@code name}, {@code labels}), {@code onBehalfOf}
 * (a string; {@code ""} when the agent acts for nobody, so that it type-checks as a plain string),
 * {@code delegation} ({@code "none"}, {@code "claimed"} or {@code "verified"}) and {@code context}
 * ({@code time}, a timestamp).
 */
public final class Condition {
    static final String DESCRIPTION = "when";
    static final List<String> VARIABLES =
            List.of("action", "resource", "params", "agent", "onBehalfOf", "delegation", "context");
    private static final Map<String, Set<String>> FIELDS =
            Map.of("agent", Set.of("name", "labels"), "context", Set.of("time"));
    private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([^']*)'.*", Pattern.DOTALL);
    private static final Pattern EVALUATION_PREFIX = Pattern.compile("^evaluation error at " + DESCRIPTION + ":\\d+: ");

    private static final CelOptions OPTIONS = CelOptions.current()
            // JSON has one number type; let params.amount > 1000 work whether amount came as 1500 or 1500.5.
            .enableHeterogeneousNumericComparisons(true)
            // Params come from agents: bound the work one comprehension may do over them.
            .comprehensionMaxIterations(10_000)
            .build();
    // Immutable and thread-safe, so one of each per JVM is enough.
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addLibraries(CelExtensions.strings())
            .addVar("action", SimpleType.STRING)
            .addVar("resource", SimpleType.STRING)
            .addVar("params", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("agent", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("onBehalfOf", SimpleType.STRING)
            .addVar("delegation", SimpleType.STRING)
            .addVar("context", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.plannerRuntimeBuilder()
            .setOptions(OPTIONS)
            .addLibraries(CelExtensions.strings())
            .build();

    private final String expression;
    private final CelRuntime.Program program;

    private Condition(String expression, CelRuntime.Program program) {
        this.expression = expression;
        this.program = program;
    }

    /** A compile error, with the 1-based line inside the expression it is on. */
    public static final class Invalid extends IllegalArgumentException {
        private final int lineInExpression;

        Invalid(String detail, int lineInExpression) {
            super(detail);
            this.lineInExpression = Math.max(1, lineInExpression);
        }

        public int lineInExpression() {
            return lineInExpression;
        }
    }

    /** What evaluating a condition gave: true, false, or an error (with its message). */
    public record Outcome(boolean value, Optional<String> error) {
        static final Outcome TRUE = new Outcome(true, Optional.empty());
        static final Outcome FALSE = new Outcome(false, Optional.empty());

        public Outcome {
            requireNonNull(error, "error is null");
        }

        public boolean failed() {
            return error.isPresent();
        }
    }

    /** @throws Invalid for a syntax error, a type error, an unknown variable or field, or a non-bool result */
    public static Condition compile(String expression) {
        requireNonNull(expression, "expression is null");
        CelValidationResult parsed = COMPILER.parse(expression, DESCRIPTION);
        if (parsed.hasError()) {
            CelIssue issue = parsed.getErrors().getFirst();
            throw new Invalid(
                    "CEL syntax error in 'when' at column "
                            + (issue.getSourceLocation().getColumn() + 1) + ": " + issue.getMessage(),
                    issue.getSourceLocation().getLine());
        }
        CelAbstractSyntaxTree parsedAst = ast(parsed);
        CelValidationResult checked = COMPILER.check(parsedAst);
        if (checked.hasError()) {
            throw typeError(checked.getErrors().getFirst(), parsedAst);
        }
        CelAbstractSyntaxTree checkedAst = ast(checked);
        requireKnownFields(checkedAst);
        String resultType = checkedAst.getResultType().name();
        if (!checkedAst.getResultType().equals(SimpleType.BOOL)) {
            throw new Invalid(
                    "'when' must be a bool expression, got " + resultType
                            + (checkedAst.getResultType().equals(SimpleType.DYN)
                                    ? "; compare explicitly, e.g. 'params.dry_run == true'"
                                    : ""),
                    1);
        }
        try {
            return new Condition(expression, RUNTIME.createProgram(checkedAst));
        } catch (CelEvaluationException e) {
            throw new Invalid("'when' cannot be planned: " + e.getMessage(), 1);
        }
    }

    /** Never throws: an error in evaluation (a missing key, a wrong type at runtime) is an outcome. */
    public Outcome evaluate(DecisionVariables variables) {
        try {
            Object result = program.eval(variables);
            if (result instanceof Boolean bool) {
                return bool ? Outcome.TRUE : Outcome.FALSE;
            }
            return new Outcome(false, Optional.of("result is " + result + ", not a bool"));
        } catch (CelEvaluationException e) {
            return new Outcome(false, Optional.of(evaluationMessage(e)));
        } catch (RuntimeException e) {
            // CEL should wrap everything, but a decision must never throw: treat anything else the same way.
            return new Outcome(false, Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    public String expression() {
        return expression;
    }

    private static CelAbstractSyntaxTree ast(CelValidationResult result) {
        try {
            return result.getAst();
        } catch (CelValidationException e) {
            throw new IllegalStateException(
                    "CEL reported no errors but produced no AST for '"
                            + result.getSource().getContent() + "'",
                    e);
        }
    }

    private static Invalid typeError(CelIssue issue, CelAbstractSyntaxTree parsedAst) {
        int line = issue.getSourceLocation().getLine();
        Matcher undeclared = UNDECLARED.matcher(issue.getMessage());
        if (undeclared.matches()) {
            boolean variable = CelNavigableAst.fromAst(parsedAst)
                    .getRoot()
                    .allNodes()
                    .map(CelNavigableExpr::expr)
                    .filter(expr -> expr.id() == issue.getExprId())
                    .anyMatch(expr -> expr.getKind() == CelExpr.ExprKind.Kind.IDENT);
            return new Invalid(
                    (variable ? "unknown variable '" : "unknown function '") + undeclared.group(1) + "'", line);
        }
        // The overload candidates CEL lists make the message long without helping a policy author.
        String message = issue.getMessage().replaceAll(" \\(candidates: .*\\)$", "");
        return new Invalid(
                "CEL type error in 'when' at column "
                        + (issue.getSourceLocation().getColumn() + 1) + ": " + message,
                line);
    }

    /** agent and context are maps to CEL, so it cannot catch {@code agent.nmae}; we can. */
    private static void requireKnownFields(CelAbstractSyntaxTree ast) {
        CelNavigableAst.fromAst(ast)
                .getRoot()
                .allNodes()
                .map(CelNavigableExpr::expr)
                .filter(expr -> expr.getKind() == CelExpr.ExprKind.Kind.SELECT)
                .forEach(expr -> {
                    CelExpr operand = expr.select().operand();
                    if (operand.getKind() != CelExpr.ExprKind.Kind.IDENT) {
                        return;
                    }
                    Set<String> fields = FIELDS.get(operand.ident().name());
                    String field = expr.select().field();
                    if (fields != null && !fields.contains(field)) {
                        int line = ast.getSource()
                                .getOffsetLocation(
                                        ast.getSource().getPositionsMap().getOrDefault(expr.id(), 0))
                                .map(location -> location.getLine())
                                .orElse(1);
                        throw new Invalid(
                                "unknown field '" + field + "' of "
                                        + operand.ident().name() + " (it has "
                                        + String.join(
                                                ", ", fields.stream().sorted().toList()) + ")",
                                line);
                    }
                });
    }

    private static String evaluationMessage(CelEvaluationException e) {
        String message =
                EVALUATION_PREFIX.matcher(String.valueOf(e.getMessage())).replaceFirst("");
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }
}
