package io.countersign.server.slack;

import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import com.slack.api.model.ErrorResponseMetadata;
import io.countersign.server.channels.DeliveryFailure.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which of Slack's error answers are worth trying again. Slack answers most errors with HTTP 200
 * and {@code {"ok": false, "error": "<code>"}}; the codes are listed per method
 * (https://api.slack.com/methods/chat.postMessage#errors). A rate limit is HTTP 429 with a
 * {@code Retry-After} in seconds (https://api.slack.com/docs/rate-limits). Slack's own transient
 * codes ({@code internal_error}, {@code fatal_error}, {@code service_unavailable},
 * {@code request_timeout}) and any 5xx are temporary; every other error code says the same call
 * will be refused again (a bad message, an unknown channel, a revoked token, a missing scope), so
 * it is permanent: retrying it 25 times only holds up the request's later events.
 */
final class SlackErrors {
    /** users.lookupByEmail: no user in the workspace has that email. */
    static final String USERS_NOT_FOUND = "users_not_found";

    private static final Set<String> TEMPORARY =
            Set.of("internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org");
    private static final Set<String> RATE_LIMITED = Set.of("ratelimited", "rate_limited");
    /** The error is in what we sent, not where: a smaller message to the same place will do. */
    private static final Set<String> CONTENT = Set.of(
            "invalid_blocks",
            "invalid_blocks_format",
            "msg_too_long",
            "msg_blocks_too_long",
            "too_many_attachments",
            "invalid_attachments",
            "no_text",
            "invalid_arguments",
            "invalid_form_data",
            "invalid_json",
            "json_not_object");

    private SlackErrors() {}

    static Kind kindOf(int status, Optional<String> error) {
        if (status == 429 || error.filter(RATE_LIMITED::contains).isPresent()) {
            return Kind.RATE_LIMITED;
        }
        if (status >= 500
                || error.isEmpty()
                || error.filter(TEMPORARY::contains).isPresent()) {
            return Kind.TEMPORARY;
        }
        return Kind.PERMANENT;
    }

    /** Whether a smaller, simpler message to the same channel could be accepted. */
    static boolean isAboutTheMessage(Optional<String> error) {
        return error.filter(CONTENT::contains).isPresent();
    }

    /**
     * Slack's detail beyond the code: {@code errors} (chat.postMessage's list of what is wrong with the
     * blocks, with JSON pointers) and {@code response_metadata.messages}.
     */
    static String detail(SlackApiTextResponse response) {
        List<String> detail = new ArrayList<>();
        Optional<ErrorResponseMetadata> metadata = Optional.empty();
        if (response instanceof ChatPostMessageResponse post) {
            Optional.ofNullable(post.getErrors()).ifPresent(detail::addAll);
            metadata = Optional.ofNullable(post.getResponseMetadata());
        } else if (response instanceof ChatUpdateResponse update) {
            metadata = Optional.ofNullable(update.getResponseMetadata());
        }
        // missing_scope says which scope the app lacks (users.lookupByEmail: users:read.email).
        Optional.ofNullable(response.getNeeded()).ifPresent(needed -> detail.add("needs scope " + needed));
        metadata.map(ErrorResponseMetadata::getMessages).ifPresent(messages -> messages.stream()
                .filter(message -> detail.stream().noneMatch(message::contains))
                .forEach(detail::add));
        return detail.isEmpty() ? "" : " " + detail;
    }
}
