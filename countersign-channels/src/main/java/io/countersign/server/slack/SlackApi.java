package io.countersign.server.slack;

import static java.util.Objects.requireNonNull;

import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.request.chat.ChatPostEphemeralRequest;
import com.slack.api.methods.request.chat.ChatPostMessageRequest;
import com.slack.api.methods.request.chat.ChatUpdateRequest;
import com.slack.api.methods.request.users.UsersInfoRequest;
import com.slack.api.methods.request.users.UsersLookupByEmailRequest;
import com.slack.api.methods.request.views.ViewsOpenRequest;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.users.UsersInfoResponse;
import com.slack.api.methods.response.users.UsersLookupByEmailResponse;
import com.slack.api.model.User;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.view.View;
import io.countersign.server.channels.DeliveryFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The few Slack Web API methods Countersign calls, through the official SDK pointed at the
 * configured base URL. Every failure, a network error or an answer with {@code ok: false}, is a
 * {@link SlackCallFailed} that says, as Slack documents its error codes, whether trying again
 * could help: see {@link SlackErrors}.
 */
public final class SlackApi implements AutoCloseable {
    /** Slack's answer to a call that did not work; the message names the method and Slack's error code. */
    public static final class SlackCallFailed extends DeliveryFailure {
        private final Optional<String> error;

        public SlackCallFailed(String message, @Nullable Throwable cause) {
            this(Kind.TEMPORARY, message, Optional.empty(), Optional.empty(), cause);
        }

        SlackCallFailed(
                Kind kind,
                String message,
                Optional<String> error,
                Optional<Duration> retryAfter,
                @Nullable Throwable cause) {
            super(kind, message, retryAfter, Optional.empty(), cause);
            this.error = requireNonNull(error, "error is null");
        }

        /** Slack's error code ({@code invalid_blocks}, {@code ratelimited}), when Slack answered one. */
        public Optional<String> error() {
            return error;
        }
    }

    /** Where a posted message is: what chat.update needs. Written {@code channel|ts} as the outbox's message reference. */
    public record MessageRef(String channel, String ts) {
        public MessageRef {
            requireNonNull(channel, "channel is null");
            requireNonNull(ts, "ts is null");
            if (channel.isBlank() || ts.isBlank() || channel.contains("|")) {
                throw new IllegalArgumentException(
                        "message reference channel '" + channel + "', ts '" + ts + "' is not a Slack message");
            }
        }

        public static MessageRef parse(String ref) {
            int bar = ref.indexOf('|');
            if (bar < 0) {
                throw new IllegalArgumentException("message reference '" + ref + "' is not channel|ts");
            }
            return new MessageRef(ref.substring(0, bar), ref.substring(bar + 1));
        }

        public String asString() {
            return channel + "|" + ts;
        }
    }

    /** What users.info says of a user; the email only when Slack says it is confirmed. */
    public record SlackUser(String id, Optional<String> confirmedEmail, boolean deletedOrBot) {
        public SlackUser {
            requireNonNull(id, "id is null");
            requireNonNull(confirmedEmail, "confirmedEmail is null");
        }
    }

    private final Slack slack;
    private final MethodsClient methods;

    public SlackApi(SlackConfig config) {
        requireNonNull(config, "config is null");
        com.slack.api.SlackConfig sdk = new com.slack.api.SlackConfig();
        sdk.setMethodsEndpointUrlPrefix(config.apiBaseUrl().toString());
        // Our own metrics and retries (the outbox) stand in for the SDK's background stats threads.
        sdk.setStatsEnabled(false);
        sdk.setHttpClientCallTimeoutMillis(10_000);
        sdk.setHttpClientReadTimeoutMillis(10_000);
        this.slack = Slack.getInstance(sdk);
        this.methods = slack.methods(config.botToken().reveal());
    }

    public MessageRef postMessage(String channel, String text, List<LayoutBlock> blocks) throws SlackCallFailed {
        ChatPostMessageResponse response = call(
                "chat.postMessage",
                () -> methods.chatPostMessage(ChatPostMessageRequest.builder()
                        .channel(channel)
                        .text(text)
                        .blocks(blocks.isEmpty() ? null : blocks)
                        .unfurlLinks(false)
                        .unfurlMedia(false)
                        .build()));
        return new MessageRef(response.getChannel(), response.getTs());
    }

    public void updateMessage(MessageRef ref, String text, List<LayoutBlock> blocks) throws SlackCallFailed {
        call(
                "chat.update",
                () -> methods.chatUpdate(ChatUpdateRequest.builder()
                        .channel(ref.channel())
                        .ts(ref.ts())
                        .text(text)
                        .blocks(blocks)
                        .build()));
    }

    public void postEphemeral(String channel, String user, String text) throws SlackCallFailed {
        call(
                "chat.postEphemeral",
                () -> methods.chatPostEphemeral(ChatPostEphemeralRequest.builder()
                        .channel(channel)
                        .user(user)
                        .text(text)
                        .build()));
    }

    public void openView(String triggerId, View view) throws SlackCallFailed {
        call(
                "views.open",
                () -> methods.viewsOpen(ViewsOpenRequest.builder()
                        .triggerId(triggerId)
                        .view(view)
                        .build()));
    }

    public SlackUser user(String id) throws SlackCallFailed {
        UsersInfoResponse response = call(
                "users.info",
                () -> methods.usersInfo(UsersInfoRequest.builder().user(id).build()));
        User user = response.getUser();
        if (user == null) {
            throw new SlackCallFailed("users.info for " + id + " answered without a user", null);
        }
        Optional<String> email = Optional.ofNullable(user.getProfile())
                .map(User.Profile::getEmail)
                .filter(text -> !text.isBlank())
                .filter(text -> user.isEmailConfirmed());
        return new SlackUser(id, email, user.isDeleted() || user.isBot() || user.isAppUser());
    }

    /**
     * The Slack user with this email (users.lookupByEmail, scope users:read.email): empty when Slack
     * has none ({@code users_not_found}) or it is deactivated or a bot, which can't be sent a vote.
     */
    public Optional<String> userIdByEmail(String email) throws SlackCallFailed {
        UsersLookupByEmailResponse response;
        try {
            response = call(
                    "users.lookupByEmail",
                    () -> methods.usersLookupByEmail(
                            UsersLookupByEmailRequest.builder().email(email).build()));
        } catch (SlackCallFailed e) {
            if (e.error().filter(SlackErrors.USERS_NOT_FOUND::equals).isPresent()) {
                return Optional.empty();
            }
            throw e;
        }
        User user = response.getUser();
        if (user == null || user.getId() == null) {
            throw new SlackCallFailed("users.lookupByEmail answered without a user", null);
        }
        if (user.isDeleted() || user.isBot() || user.isAppUser()) {
            return Optional.empty();
        }
        return Optional.of(user.getId());
    }

    private interface Call<T extends SlackApiTextResponse> {
        T run() throws IOException, SlackApiException;
    }

    private static <T extends SlackApiTextResponse> T call(String method, Call<T> call) throws SlackCallFailed {
        T response;
        try {
            response = call.run();
        } catch (SlackApiException e) {
            int status = e.getResponse().code();
            Optional<String> error = Optional.ofNullable(e.getError())
                    .map(answer -> answer.getError())
                    .filter(code -> code != null);
            Optional<Duration> retryAfter = DeliveryFailure.retryAfterSeconds(
                    Optional.ofNullable(e.getResponse().header("Retry-After")));
            throw new SlackCallFailed(
                    SlackErrors.kindOf(status, error),
                    method + ": HTTP " + status + error.map(code -> " " + code).orElse("")
                            + retryAfter
                                    .map(wait -> " (Retry-After " + wait.toSeconds() + "s)")
                                    .orElse(""),
                    error,
                    retryAfter,
                    e);
        } catch (IOException e) {
            throw new SlackCallFailed(method + ": " + e, e);
        }
        if (!response.isOk()) {
            String error = String.valueOf(response.getError());
            throw new SlackCallFailed(
                    SlackErrors.kindOf(200, Optional.of(error)),
                    method + ": " + error + SlackErrors.detail(response),
                    Optional.of(error),
                    Optional.empty(),
                    null);
        }
        return response;
    }

    @Override
    public void close() {
        try {
            slack.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the Slack client failed", e);
        }
    }
}
