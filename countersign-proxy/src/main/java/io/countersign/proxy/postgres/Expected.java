package io.countersign.proxy.postgres;

/** What the session sent upstream, in order, for the {@link UpstreamRelay} to match the answers against. */
interface Expected {
    /** The upstream will never answer this (the connection ended, or an earlier message of its batch failed). */
    default void failed(String why) {}

    /** A simple Query: answered up to ReadyForQuery. */
    record Query(Collected collected) implements Expected {
        @Override
        public void failed(String why) {
            fail(collected, why);
        }
    }

    /** An extended Execute: answered by CommandComplete, EmptyQueryResponse, PortalSuspended or ErrorResponse. */
    record Execute(Collected collected) implements Expected {
        @Override
        public void failed(String why) {
            fail(collected, why);
        }
    }

    /** The Execute of the nonexistent portal standing in for a refused statement; its error becomes {@code error}. */
    record Refusal(byte[] error) implements Expected {}

    /** A Sync: answered by ReadyForQuery. */
    record Sync() implements Expected {}

    /**
     * A Parse, Bind, Describe or Close the session held back and sent: its answers (ParseComplete,
     * BindComplete, CloseComplete, a Describe's ParameterDescription and RowDescription or NoData)
     * go to the client. Counted so that a probe's answers, which follow, are told from them.
     */
    final class Prepared implements Expected {
        private int answers;

        private Prepared(int answers) {
            this.answers = answers;
        }

        static Prepared answering(Wire.Message message) {
            // A Describe of a statement says its parameters and then its result; everything else answers once.
            boolean describesStatement = message.kind() == 'D' && message.body().length > 0 && message.body()[0] == 'S';
            return new Prepared(describesStatement ? 2 : 1);
        }

        /** Counts one answer; true when it was the last. */
        boolean answered() {
            answers--;
            return answers <= 0;
        }
    }

    private static void fail(Collected collected, String why) {
        if (!collected.isDone()) {
            collected.firstError(why);
            collected.complete();
        }
    }
}
