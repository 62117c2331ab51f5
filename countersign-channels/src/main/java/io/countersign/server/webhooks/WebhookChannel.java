package io.countersign.server.webhooks;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.NotificationType;
import io.countersign.server.actions.RequestView;
import io.countersign.server.channels.Channel;
import io.countersign.server.channels.Notification;
import io.countersign.workflow.ApprovalRequest;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Posts events as JSON signed the Standard Webhooks way ({@code webhook-id}, {@code webhook-timestamp},
 * {@code webhook-signature}). The id is the outbox delivery's, the same on every retry, so a
 * receiver can drop repeats. Any answer but 2xx is a failure to retry.
 */
public final class WebhookChannel implements Channel {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final WebhookConfig config;
    private final HttpClient http;
    private final JsonMapper mapper;
    private final Clock clock;
    private final Supplier<String> baseUrl;
    private final RequestView requests;

    public WebhookChannel(
            WebhookConfig config, HttpClient http, JsonMapper mapper, Clock clock, Supplier<String> baseUrl) {
        this.config = requireNonNull(config, "config is null");
        this.http = requireNonNull(http, "http is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.baseUrl = requireNonNull(baseUrl, "baseUrl is null");
        this.requests = new RequestView(mapper, baseUrl);
    }

    @Override
    public String name() {
        return config.channelName();
    }

    @Override
    public boolean wants(NotificationType type, Optional<ApprovalRequest> request) {
        return config.events().contains(type);
    }

    @Override
    public Optional<String> deliver(Notification notification) throws IOException, InterruptedException {
        byte[] body = mapper.writeValueAsBytes(body(notification));
        String id = "cs_" + notification.id();
        long timestamp = clock.instant().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(config.url())
                .timeout(TIMEOUT)
                .header("content-type", "application/json")
                .header("user-agent", "countersign-webhooks")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", WebhookSignature.sign(config.secret(), id, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            String answer = response.body();
            throw new IOException(config.url() + " answered " + response.statusCode()
                    + (answer.isBlank()
                            ? ""
                            : ": " + (answer.length() > 200 ? answer.substring(0, 200) + "..." : answer)));
        }
        return Optional.empty();
    }

    /**
     * {@code {type, timestamp, data}}, the envelope the Standard Webhooks spec suggests; {@code data}
     * is the request as {@code GET /v1/actions/{id}} shows it to a human (never a grant), with a
     * link to its console page.
     */
    private ObjectNode body(Notification notification) {
        ObjectNode body = mapper.createObjectNode();
        body.put("type", notification.type().wireName());
        body.put("timestamp", notification.at().toString());
        ObjectNode data = notification
                .request()
                .map(request -> requests.render(request)
                        .put(
                                "url",
                                baseUrl.get() + "/console/requests/"
                                        + request.id().value()))
                .orElseGet(mapper::createObjectNode);
        body.set("data", data);
        if (notification.type() == NotificationType.NOTICE) {
            data.set("notice", notification.payload());
        }
        return body;
    }
}
