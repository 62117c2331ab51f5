package io.countersign.server.webhooks;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.NotificationType;
import java.net.URI;
import java.util.EnumSet;
import java.util.Set;

/** One receiver of signed events: its name (the channel is {@code webhook:<name>}), URL, secret and the events it wants. */
public record WebhookConfig(String name, URI url, WebhookSecret secret, Set<NotificationType> events) {
    /** What a webhook gets unless its config lists events. */
    public static final Set<NotificationType> DEFAULT_EVENTS = Set.copyOf(EnumSet.of(
            NotificationType.REQUEST_CREATED, NotificationType.REQUEST_DECIDED, NotificationType.ACTION_EXECUTED));

    public WebhookConfig {
        requireNonNull(name, "name is null");
        requireNonNull(url, "url is null");
        requireNonNull(secret, "secret is null");
        events = Set.copyOf(requireNonNull(events, "events is null"));
        if (!name.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException(
                    "webhook name '" + name + "' must be lowercase letters, digits, - and _");
        }
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
            throw new IllegalArgumentException("webhook '" + name + "' has URL " + url + "; want http(s)");
        }
        if (events.isEmpty()) {
            throw new IllegalArgumentException("webhook '" + name + "' lists no events");
        }
    }

    public String channelName() {
        return "webhook:" + name;
    }
}
