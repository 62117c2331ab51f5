package io.countersign.server.slack;

import static java.util.Objects.requireNonNull;

import io.countersign.server.slack.SlackApi.MessageRef;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The messages the {@link SlackDirectChannel} sent for one request, by recipient, as the outbox
 * keeps them: {@code u:<email>=<channel>|<ts>} for a human's direct message, {@code c:<channel>=...}
 * for an escalation channel, {@code u:<email>=-} for a human Slack could not be asked (so later events
 * do not look them up again), separated by spaces, emails URL-encoded (an address may hold {@code =}).
 */
record DirectMessages(Map<String, Optional<MessageRef>> byRecipient) {
    private static final String UNREACHABLE = "-";

    DirectMessages {
        byRecipient = java.util.Collections.unmodifiableMap(
                new LinkedHashMap<>(requireNonNull(byRecipient, "byRecipient is null")));
    }

    static DirectMessages none() {
        return new DirectMessages(Map.of());
    }

    static String human(String email) {
        return "u:" + URLEncoder.encode(email.toLowerCase(java.util.Locale.ROOT), StandardCharsets.UTF_8);
    }

    static String channel(String id) {
        return "c:" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    static DirectMessages parse(String text) {
        Map<String, Optional<MessageRef>> all = new LinkedHashMap<>();
        for (String entry : text.strip().split(" +")) {
            if (entry.isEmpty()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("direct message reference '" + entry + "' is not recipient=ref");
            }
            String where = entry.substring(equals + 1);
            all.put(
                    entry.substring(0, equals),
                    where.equals(UNREACHABLE) ? Optional.empty() : Optional.of(MessageRef.parse(where)));
        }
        return new DirectMessages(all);
    }

    boolean has(String recipient) {
        return byRecipient.containsKey(recipient);
    }

    DirectMessages with(String recipient, Optional<MessageRef> ref) {
        Map<String, Optional<MessageRef>> all = new LinkedHashMap<>(byRecipient);
        all.put(recipient, ref);
        return new DirectMessages(all);
    }

    /** The messages that went out, for chat.update and for checking where a click was made. */
    List<MessageRef> messages() {
        List<MessageRef> refs = new ArrayList<>();
        byRecipient.values().forEach(ref -> ref.ifPresent(refs::add));
        return refs;
    }

    /** The email of a human recipient's key; empty for a channel. */
    static Optional<String> emailOf(String recipient) {
        return recipient.startsWith("u:")
                ? Optional.of(URLDecoder.decode(recipient.substring(2), StandardCharsets.UTF_8))
                : Optional.empty();
    }

    String asString() {
        StringBuilder text = new StringBuilder();
        byRecipient.forEach((recipient, ref) -> {
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(recipient)
                    .append('=')
                    .append(ref.map(MessageRef::asString).orElse(UNREACHABLE));
        });
        return text.toString();
    }
}
