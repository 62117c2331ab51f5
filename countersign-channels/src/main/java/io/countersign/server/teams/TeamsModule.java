package io.countersign.server.teams;

import static java.util.Objects.requireNonNull;

import io.countersign.server.channels.Channel;
import io.countersign.server.identity.HumanDirectory;
import io.countersign.workflow.Workflow;
import io.javalin.config.RoutesConfig;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Microsoft Teams as the composition root sees it. Built in two steps because the workflow needs
 * the channels (to know who wants its events) and the bot's endpoint needs the workflow (to vote):
 * {@link #create} gives the channels, {@link #routes} the messaging endpoint.
 */
public final class TeamsModule implements AutoCloseable {
    private final TeamsConfig config;
    private final HttpClient http;
    private final JsonMapper mapper;
    private final Clock clock;
    private final ApprovalCard cards;
    private final Optional<BotConnector> connector;
    private final List<Channel> channels;

    private TeamsModule(
            TeamsConfig config,
            HttpClient http,
            JsonMapper mapper,
            Clock clock,
            ApprovalCard cards,
            Optional<BotConnector> connector,
            List<Channel> channels) {
        this.config = config;
        this.http = http;
        this.mapper = mapper;
        this.clock = clock;
        this.cards = cards;
        this.connector = connector;
        this.channels = List.copyOf(channels);
    }

    /**
     * @param gatewayBaseUrl the gateway's base URL once it listens; console links use it unless {@code teams.consoleBaseUrl} is set
     */
    public static TeamsModule create(
            TeamsConfig config, Supplier<String> gatewayBaseUrl, Clock clock, JsonMapper mapper) {
        requireNonNull(config, "config is null");
        requireNonNull(gatewayBaseUrl, "gatewayBaseUrl is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(mapper, "mapper is null");
        config.bot()
                .filter(bot -> bot.tenantId().isEmpty())
                .ifPresent(
                        bot -> LoggerFactory.getLogger(TeamsModule.class)
                                .warn(
                                        "teams.tenantId is not set: clicks are taken from any Microsoft Entra tenant the bot is installed in; set it to your tenant's id"));
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Supplier<String> consoleBase = () -> config.consoleBaseUrl().orElseGet(gatewayBaseUrl);
        ApprovalCard cards = new ApprovalCard(
                mapper,
                request ->
                        consoleBase.get() + "/console/requests/" + request.id().value());
        List<Channel> channels = new ArrayList<>();
        Optional<BotConnector> connector =
                config.bot().map(bot -> new BotConnector(bot, new BotTokens(bot, http, mapper, clock), http, mapper));
        config.bot().ifPresent(bot -> channels.add(new TeamsBotChannel(bot, connector.orElseThrow(), cards, mapper)));
        config.workflowUrl().ifPresent(url -> channels.add(new TeamsWorkflowChannel(url, http, cards, mapper)));
        return new TeamsModule(config, http, mapper, clock, cards, connector, channels);
    }

    /** {@code teams} (the bot) and {@code teams-workflow} (the Workflows webhook), as configured. */
    public List<Channel> channels() {
        return channels;
    }

    /** {@code POST /integrations/teams/messages} when the bot is configured; nothing otherwise. */
    public Consumer<RoutesConfig> routes(Workflow workflow, HumanDirectory humans) {
        requireNonNull(workflow, "workflow is null");
        requireNonNull(humans, "humans is null");
        if (config.bot().isEmpty()) {
            return routes -> {};
        }
        TeamsConfig.Bot bot = config.bot().get();
        TeamsUsers users = new TeamsUsers(bot, connector.orElseThrow(), humans);
        return new TeamsRoutes(
                        new ConnectorTokenVerifier(bot, clock), new CardActions(workflow, users, cards, mapper), mapper)
                ::register;
    }

    @Override
    public void close() {
        http.close();
    }
}
