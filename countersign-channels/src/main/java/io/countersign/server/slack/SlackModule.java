package io.countersign.server.slack;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.Outbox;
import io.countersign.server.channels.Channel;
import io.countersign.server.identity.HumanDirectory;
import io.countersign.server.slack.SlackApi.MessageRef;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.Workflow;
import io.javalin.config.RoutesConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * Slack as the composition root sees it, built in two steps because the workflow needs the
 * channels (to know who wants which event) before the interaction routes can need the workflow:
 * {@link #create} gives the {@link #channel()}, then {@link #routes} the interactivity endpoint.
 */
public final class SlackModule implements AutoCloseable {
    private final SlackConfig config;
    private final SlackApi api;
    private final Supplier<String> consoleBase;
    private final Clock clock;
    private final JsonMapper mapper;
    private final SlackChannel channel;
    private final SlackDirectChannel direct;
    // Clicks are answered at once and worked on here; virtual threads, since the work is mostly waiting on Slack.
    private final ExecutorService background = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("slack-click-", 0).factory());

    private SlackModule(
            SlackConfig config,
            SlackApi api,
            Supplier<String> consoleBase,
            Clock clock,
            JsonMapper mapper,
            HumanDirectory humans) {
        this.config = config;
        this.api = api;
        this.consoleBase = consoleBase;
        this.clock = clock;
        this.mapper = mapper;
        this.channel = new SlackChannel(api, config.defaultChannel(), consoleBase);
        this.direct = new SlackDirectChannel(api, humans::membersOfAny, config.directMessages(), consoleBase);
    }

    /**
     * @param gatewayBaseUrl where the gateway is reached, for console links when the config names no consoleBaseUrl
     * @param humans the gateway's humans, whom direct messages go to
     */
    public static SlackModule create(
            SlackConfig config,
            Supplier<String> gatewayBaseUrl,
            Clock clock,
            JsonMapper mapper,
            HumanDirectory humans) {
        requireNonNull(config, "config is null");
        requireNonNull(gatewayBaseUrl, "gatewayBaseUrl is null");
        Supplier<String> consoleBase =
                config.consoleBaseUrl().<Supplier<String>>map(url -> () -> url).orElse(gatewayBaseUrl);
        return new SlackModule(
                config,
                new SlackApi(config),
                consoleBase,
                requireNonNull(clock, "clock is null"),
                requireNonNull(mapper, "mapper is null"),
                requireNonNull(humans, "humans is null"));
    }

    /** The channels named {@value SlackChannel#NAME} and {@value SlackDirectChannel#NAME}, for the outbox. */
    public List<Channel> channels() {
        return List.of(channel, direct);
    }

    /** {@code POST /integrations/slack/interactions}, for the API server. */
    public Consumer<RoutesConfig> routes(Workflow workflow, HumanDirectory humans, Outbox outbox) {
        requireNonNull(outbox, "outbox is null");
        SlackInteractions interactions = new SlackInteractions(
                new SlackSignature(config.signingSecret()),
                api,
                new SlackUsers(api, humans, clock),
                workflow,
                consoleBase,
                mapper,
                clock,
                background,
                id -> postedMessages(outbox, id));
        return interactions::register;
    }

    /** Where a click on the request's buttons may come from: its channel message, and its direct messages. */
    private static List<MessageRef> postedMessages(Outbox outbox, RequestId id) {
        List<MessageRef> refs = new ArrayList<>();
        outbox.messageRef(id.value(), SlackChannel.NAME).map(MessageRef::parse).ifPresent(refs::add);
        outbox.messageRef(id.value(), SlackDirectChannel.NAME)
                .map(DirectMessages::parse)
                .ifPresent(sent -> refs.addAll(sent.messages()));
        return refs;
    }

    @Override
    public void close() {
        background.shutdownNow();
        api.close();
    }
}
