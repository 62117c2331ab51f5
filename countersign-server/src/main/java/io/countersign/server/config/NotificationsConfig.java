package io.countersign.server.config;

import static java.util.Objects.requireNonNull;

import io.countersign.server.channels.Backoff;
import io.countersign.server.webhooks.WebhookConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How the outbox delivers ({@code outbox:} in the config file) and the signed webhooks
 * ({@code webhooks:}); the Slack and Teams channels have sections of their own.
 */
public record NotificationsConfig(Backoff backoff, Duration pollInterval, List<WebhookConfig> webhooks) {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    public NotificationsConfig {
        requireNonNull(backoff, "backoff is null");
        requireNonNull(pollInterval, "pollInterval is null");
        webhooks = List.copyOf(requireNonNull(webhooks, "webhooks is null"));
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("outbox.pollInterval must be positive, not " + pollInterval);
        }
        Set<String> names = new HashSet<>();
        for (WebhookConfig webhook : webhooks) {
            if (!names.add(webhook.name())) {
                throw new IllegalArgumentException("two webhooks are named '" + webhook.name() + "'");
            }
        }
    }

    public static NotificationsConfig defaults() {
        return new NotificationsConfig(Backoff.DEFAULT, DEFAULT_POLL_INTERVAL, List.of());
    }

    public NotificationsConfig withWebhooks(List<WebhookConfig> newWebhooks) {
        return new NotificationsConfig(backoff, pollInterval, newWebhooks);
    }

    public NotificationsConfig withBackoff(Backoff newBackoff) {
        return new NotificationsConfig(newBackoff, pollInterval, webhooks);
    }
}
