package io.countersign.outbox;

/** What happened, as channels and webhook receivers name it. */
public enum NotificationType {
    /** A request was recorded (any effect; channels that ask humans care only about pending ones). */
    REQUEST_CREATED("request.created"),
    /** A vote that did not resolve the request: quorum progress. */
    REQUEST_VOTED("request.voted"),
    /** A pending request reached its rule's {@code escalate.after}: more people may now decide it. */
    REQUEST_ESCALATED("request.escalated"),
    /** The request is approved, denied, expired or cancelled. */
    REQUEST_DECIDED("request.decided"),
    /** The agent reported the execution of an approved action. */
    ACTION_EXECUTED("action.executed"),
    /** A message to a group of people (break-glass used, a breaker tripped); the payload says what. */
    NOTICE("notice");

    private final String wireName;

    NotificationType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static NotificationType fromWireName(String wireName) {
        for (NotificationType type : values()) {
            if (type.wireName.equals(wireName)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown notification type '" + wireName + "'");
    }
}
