package io.countersign.server.identity;

import io.countersign.workflow.Notifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The notifier until channels (Slack, Teams, mail) exist: one WARN line per notice, for whoever watches the log. */
public final class LoggingNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger("countersign.notify");

    @Override
    public void notifyGroup(Notice notice) {
        LOG.warn(
                "to group {}: {}: {}{}",
                notice.group(),
                notice.subject(),
                notice.text(),
                notice.request().map(id -> " (request " + id.value() + ")").orElse(""));
    }
}
