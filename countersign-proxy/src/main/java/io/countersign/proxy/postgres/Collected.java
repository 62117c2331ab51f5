package io.countersign.proxy.postgres;

import io.countersign.policy.ColumnMask;
import io.countersign.proxy.ExecutionRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What the upstream answered to one execution: its command tags, its first error and, under a
 * column mask, the masker of its rows and how many values of each column it masked; completes the
 * execution record. Written on the relay's thread only (created before the statement is sent).
 */
final class Collected {
    private final List<String> tags = new ArrayList<>();
    private Optional<String> error = Optional.empty();
    private final CompletableFuture<ExecutionRecord> done = new CompletableFuture<>();
    private final List<ColumnMask> masks;
    private final @Nullable RowMasker masker;
    /** Masked column (schema.table.column) to the number of values masked, in result order. */
    private final Map<String, Long> masked = new LinkedHashMap<>();

    /** For an execution without column masks: its rows pass unchanged. */
    Collected() {
        this.masks = List.of();
        this.masker = null;
    }

    /** For an execution under {@code masks}, whose rows {@code masker} rewrites (its result was described before it ran). */
    Collected(List<ColumnMask> masks, RowMasker masker) {
        this.masks = List.copyOf(masks);
        if (this.masks.isEmpty()) {
            throw new IllegalArgumentException("a masked execution needs its masks");
        }
        this.masker = masker;
        masker.maskedColumns().forEach(column -> masked.put(column, 0L));
    }

    CompletableFuture<ExecutionRecord> done() {
        return done;
    }

    boolean masking() {
        return masker != null;
    }

    /** The rules whose masks apply, for messages. */
    String rules() {
        Set<String> rules = new LinkedHashSet<>();
        masks.forEach(mask -> rules.add(mask.rule()));
        return String.join(", ", rules);
    }

    /** Whether a RowDescription the execution sent is the one described before it ran (the masker's plan is for that one). */
    boolean describedAs(ResultColumns columns) {
        return masker == null || masker.columns().equals(columns);
    }

    /** A DataRow as the client may see it. */
    Wire.Message row(Wire.Message row) throws ProtocolViolation {
        RowMasker rows = masker;
        if (rows == null || rows.keepsAll()) {
            if (rows != null && rows.width() != new Wire.Reader(row.body()).int16()) {
                throw new ProtocolViolation("a row does not fit the result described before the statement ran");
            }
            return row;
        }
        return new Wire.Message((byte) 'D', rows.mask(row.body(), masked));
    }

    void tag(String tag) {
        tags.add(tag);
    }

    void error(String message) {
        error = Optional.of(message);
    }

    void firstError(String message) {
        error = error.or(() -> Optional.of(message));
    }

    boolean isDone() {
        return done.isDone();
    }

    void complete() {
        String detail = String.join("; ", tags);
        if (!masked.isEmpty()) {
            List<String> columns = new ArrayList<>();
            masked.forEach(
                    (column, values) -> columns.add(column + " (" + values + (values == 1 ? " value)" : " values)")));
            detail = (detail.isEmpty() ? "" : detail + "; ") + "masked " + String.join(", ", columns) + " [rule "
                    + rules() + "]";
        }
        done.complete(
                error.isPresent()
                        ? ExecutionRecord.failed((detail.isEmpty() ? "" : detail + "; ") + "error: " + error.get())
                        : ExecutionRecord.succeeded(detail.isEmpty() ? "no command tag" : detail));
    }
}
