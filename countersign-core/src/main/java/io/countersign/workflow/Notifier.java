package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Tells people about something that needs their attention (a break-glass approval, a review to
 * acknowledge). Implementations deliver to a channel (Slack, Teams, mail, the log); they must be
 * quick and must not throw: the workflow logs and ignores failures, the audit log has the facts.
 */
@FunctionalInterface
public interface Notifier {

    /** What to say, to everyone in {@code group}, about which request. */
    record Notice(String group, String subject, String text, Optional<RequestId> request) {
        public Notice {
            requireNonNull(group, "group is null");
            requireNonNull(subject, "subject is null");
            requireNonNull(text, "text is null");
            requireNonNull(request, "request is null");
        }
    }

    void notifyGroup(Notice notice);

    Notifier NONE = notice -> {};
}
