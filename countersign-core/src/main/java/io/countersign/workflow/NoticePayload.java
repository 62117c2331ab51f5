package io.countersign.workflow;

import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The outbox payload of a notice: {@code {"group", "subject", "text"}}. */
final class NoticePayload {
    private NoticePayload() {}

    static String json(Notifier.Notice notice) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("group", notice.group());
        payload.put("subject", notice.subject());
        payload.put("text", notice.text());
        return payload.toString();
    }
}
