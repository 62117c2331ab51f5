package io.countersign.workflow;

/**
 * Why the workflow refused a call. Each kind maps to one HTTP status in one place on the
 * server; the message is safe to show to the caller.
 */
public abstract sealed class WorkflowException extends RuntimeException {

    WorkflowException(String message) {
        super(message, null, false, false);
    }

    /** No request with that id, or no such thing (404). */
    public static final class NotFound extends WorkflowException {
        public NotFound(RequestId id) {
            super("no request " + id);
        }

        /** Something else that isn't there, such as a breaker that is not tripped. */
        public NotFound(String message) {
            super(message);
        }
    }

    /** The caller may not do this to this request (403). */
    public static final class Forbidden extends WorkflowException {
        public Forbidden(String message) {
            super(message);
        }
    }

    /**
     * The caller may vote only after signing in again (403): a step-up rule counts approvals
     * from a fresh sign-in only. Channels send the voter to the identity provider.
     */
    public static final class StepUpRequired extends WorkflowException {
        public StepUpRequired(String message) {
            super(message);
        }
    }

    /** The request's state doesn't allow it any more: decided, expired, a grant used (409). */
    public static final class Conflict extends WorkflowException {
        public Conflict(String message) {
            super(message);
        }
    }

    /** A field's value is refused as it is (400): the message names the field and says why. */
    public static final class BadInput extends WorkflowException {
        private final String field;

        public BadInput(String field, String message) {
            super("field '" + field + "' " + message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** Well-formed but unusable: a grant for another action, a deny without a comment (422). */
    public static final class Unprocessable extends WorkflowException {
        public Unprocessable(String message) {
            super(message);
        }
    }
}
