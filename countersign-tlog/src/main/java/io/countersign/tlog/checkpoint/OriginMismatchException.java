package io.countersign.tlog.checkpoint;

/**
 * A validly signed checkpoint names another log than the one expected. Without this check a
 * key trusted for one log could vouch for a tree head presented as another log's.
 */
public final class OriginMismatchException extends CheckpointException {
    private final String expected;
    private final String actual;

    public OriginMismatchException(String expected, String actual) {
        super("checkpoint origin is '" + actual + "', want '" + expected + "'");
        this.expected = expected;
        this.actual = actual;
    }

    public String expected() {
        return expected;
    }

    public String actual() {
        return actual;
    }
}
