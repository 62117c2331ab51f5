package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A policy (or policy test case) file that cannot be used, with where the problem is: the file, the
 * 1-based line ({@code 0} when the problem is not at a line, e.g. an unreadable file) and the rule,
 * when the problem is inside one. The message reads
 * {@code policy.yaml line 14, rule 'exports': unknown variable 'parms'}.
 *
 * <p>Unchecked: callers that load policies ({@code policy check}, the server at startup, the
 * reloader) catch it at one place and show the message as is.
 */
public final class PolicyException extends RuntimeException {
    private final String file;
    private final int line;
    private final @Nullable String rule;
    private final String detail;

    public PolicyException(String file, int line, Optional<String> rule, String detail) {
        super(format(
                requireNonNull(file, "file is null"),
                line,
                requireNonNull(rule, "rule is null"),
                requireNonNull(detail, "detail is null")));
        if (line < 0) {
            throw new IllegalArgumentException("line is " + line + ", want 0 (unknown) or more");
        }
        this.file = file;
        this.line = line;
        this.rule = rule.orElse(null);
        this.detail = detail;
    }

    public PolicyException(String file, int line, Optional<String> rule, String detail, Throwable cause) {
        this(file, line, rule, detail);
        initCause(cause);
    }

    /** The file name as it was given to the loader, e.g. {@code policy.yaml} or {@code /etc/countersign/policy.yaml}. */
    public String file() {
        return file;
    }

    /** The 1-based line of the problem, or 0 when it is not at a particular line. */
    public int line() {
        return line;
    }

    /** The name of the rule the problem is in, if it is in a named rule. */
    public Optional<String> rule() {
        return Optional.ofNullable(rule);
    }

    /** The problem alone, without file, line and rule: {@code unknown variable 'parms'}. */
    public String detail() {
        return detail;
    }

    private static String format(String file, int line, Optional<String> rule, String detail) {
        StringBuilder message = new StringBuilder(file);
        if (line > 0) {
            message.append(" line ").append(line);
        }
        rule.ifPresent(name -> message.append(", rule '").append(name).append('\''));
        return message.append(": ").append(detail).toString();
    }
}
