package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.policy.ColumnMask;
import io.countersign.proxy.ExecutionRecord;
import io.countersign.proxy.Upstream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Sends a statement the seam let run to the upstream, from inside the seam. Without column masks
 * it goes as it is. Under masks its result is described first ({@link ResultProbe}) and planned
 * ({@link RowMasker#plan}); it runs only when every column it returns can be traced to a table
 * column, with its rows masked by the relay. Otherwise it is refused with 42501 before it runs,
 * and so is a COPY TO STDOUT (its rows are not masked) and a query of several statements (each
 * would need its own description): never returned unmasked, never blanked as if masked.
 */
final class StatementSender {
    /** Answers a refused message with the gateway's error; {@code simple} when a Sync of its own must follow. */
    @FunctionalInterface
    interface Refuser {
        void refuse(byte[] error, boolean simple) throws IOException;
    }

    private final OutputStream upstream;
    private final UpstreamRelay relay;
    private final ColumnCatalog catalog;
    private final Refuser refuser;

    StatementSender(OutputStream upstream, UpstreamRelay relay, ColumnCatalog catalog, Refuser refuser) {
        this.upstream = requireNonNull(upstream, "upstream is null");
        this.relay = requireNonNull(relay, "relay is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.refuser = requireNonNull(refuser, "refuser is null");
    }

    /** How one send went: the execution's record, and whether the statement was refused instead of run. */
    record Sent(CompletionStage<ExecutionRecord> record, boolean refused) {}

    Sent send(
            List<Action> decided,
            List<ColumnMask> masks,
            List<Wire.Message> preparing,
            Wire.Message message,
            Function<Collected, Expected> expected,
            boolean simple)
            throws Upstream.UpstreamFailure {
        try {
            for (Wire.Message prepared : preparing) {
                relay.expectAnswerTo(prepared);
                upstream.write(prepared.frame());
            }
            if (masks.isEmpty()) {
                Collected collected = new Collected();
                relay.expect(expected.apply(collected));
                upstream.write(message.frame());
                return new Sent(collected.done(), false);
            }
            String rules = rules(masks);
            if (decided.stream().anyMatch(action -> action.action().equals("sql.copy_out"))) {
                return refused(
                        "COPY TO STDOUT is refused: rule " + rules + " masks columns of its tables, and COPY rows are"
                                + " not masked; SELECT the rows instead",
                        rules,
                        simple);
            }
            if (decided.stream().anyMatch(action -> action.paramsView().has("part"))) {
                return refused(
                        "a query of several statements is refused: rule " + rules + " masks columns of its tables,"
                                + " and each statement's result must be checked on its own; send them one at a time",
                        rules,
                        simple);
            }
            ResultProbe.Answer answer = simple
                    ? ResultProbe.query(relay, upstream, sql(message))
                    : ResultProbe.portal(relay, upstream, message);
            return switch (answer) {
                case ResultProbe.Answer.Failed failed
                when failed.shown() && simple ->
                    // The client has the error and ReadyForQuery the Query itself would have got; nothing ran.
                    new Sent(
                            CompletableFuture.completedFuture(
                                    ExecutionRecord.failed("not run: describing it failed: " + failed.message())),
                            false);
                case ResultProbe.Answer.Failed failed ->
                    refused(
                            "the statement's result could not be checked for masked columns (rule " + rules + "): "
                                    + failed.message(),
                            rules,
                            simple);
                case ResultProbe.Answer.Described described ->
                    switch (RowMasker.plan(masks, described.columns(), catalog)) {
                        case RowMasker.Plan.Untraceable untraceable ->
                            refused(
                                    "the statement is refused: rule " + rules + " masks columns of its tables, and "
                                            + untraceable.why() + ", so it can't be masked; select the table's"
                                            + " columns themselves",
                                    rules,
                                    simple);
                        case RowMasker.Plan.Masking masking -> {
                            Collected collected = new Collected(masks, masking.masker());
                            relay.expect(expected.apply(collected));
                            upstream.write(message.frame());
                            yield new Sent(collected.done(), false);
                        }
                    };
            };
        } catch (IOException | ProtocolViolation e) {
            throw new Upstream.UpstreamFailure("sending the statement upstream failed: " + e.getMessage(), e);
        }
    }

    private Sent refused(String why, String rules, boolean simple) throws IOException {
        refuser.refuse(
                Notices.error(Notices.INSUFFICIENT_PRIVILEGE, why, Optional.of("rule " + rules), Optional.empty()),
                simple);
        return new Sent(CompletableFuture.completedFuture(ExecutionRecord.failed("not run: " + why)), true);
    }

    private static String sql(Wire.Message query) throws ProtocolViolation {
        return new Wire.Reader(query.body()).cstring();
    }

    private static String rules(List<ColumnMask> masks) {
        Set<String> rules = new LinkedHashSet<>();
        masks.forEach(mask -> rules.add(mask.rule()));
        return String.join(", ", rules);
    }
}
