package io.countersign.server.console;

import io.countersign.breaker.TrippedBreaker;
import java.util.List;

/** What the console's templates show: plain, already-formatted values, no domain objects. */
public final class Pages {
    private Pages() {}

    /** Who is signed in, for the header and every form's CSRF field. */
    public record Viewer(String name, String csrf) {}

    public record SignIn(String next, String issuer, boolean localTokens, String formToken, String error) {}

    public record Row(String id, String action, String resource, String agent, String onBehalfOf, String reason, String timeLeft) {}

    public record Inbox(Viewer viewer, List<Row> rows, String action, String agent, String resource, String notice) {}

    /** One key of the params tree: a scalar {@code value}, or {@code children} for objects and arrays. */
    public record Param(String key, String value, List<Param> children) {}

    public record VoteLine(String voter, String choice, String comment, String time, String channel) {}

    public record Request(Viewer viewer, String id, String status, String agent, String onBehalfOf, String delegation, String action,
            String resource, String reason, List<Param> params, String sql, String rules, String policyVersion, String groups,
            List<VoteLine> votes, String timeLeft, String refusal, boolean stepUp, boolean canDeny, String decided, String execution, String notice) {}

    public record Error(Viewer viewer, int status, String message) {}

    public record AuditLine(long seq, String time, String type, String actor, String request, String data) {}

    /** The latest checkpoint as the server's verifier saw it: {@code verified} false names the problem in {@code verdict}. */
    public record Checkpoint(long size, String root, String origin, String key, boolean verified, String verdict, String note) {}

    public record Audit(Viewer viewer, long size, Checkpoint checkpoint, List<AuditLine> entries, String type, String actor, String request,
            long before, long older, long newer) {}

    public record Simulation(String effect, String rules, String reason) {}

    public record Policy(Viewer viewer, String file, String version, String source, List<AuditLine> history, List<TrippedBreaker> tripped, String action, String resource, String agent,
            String params, String onBehalfOf, Simulation result, String error) {}
}
