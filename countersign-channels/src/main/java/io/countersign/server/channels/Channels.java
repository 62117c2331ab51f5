package io.countersign.server.channels;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.NotificationType;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Subscriptions;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The configured channels, by name; tells the workflow which of them want an event. */
public final class Channels implements Subscriptions {
    private final List<Channel> channels;

    public Channels(List<Channel> channels) {
        this.channels = List.copyOf(requireNonNull(channels, "channels is null"));
        Set<String> names = new HashSet<>();
        for (Channel channel : this.channels) {
            if (!names.add(channel.name())) {
                throw new IllegalArgumentException("two channels are named '" + channel.name() + "'");
            }
        }
    }

    @Override
    public List<String> channelsFor(NotificationType type, Optional<ApprovalRequest> request) {
        return channels.stream()
                .filter(channel -> channel.wants(type, request))
                .map(Channel::name)
                .toList();
    }

    /**
     * Whether any channel wants any event about {@code request}: false means the change put
     * nothing in the outbox for it. Quick and without I/O, like {@link Channel#wants}.
     */
    public boolean wantsAnythingAbout(ApprovalRequest request) {
        Optional<ApprovalRequest> about = Optional.of(request);
        for (Channel channel : channels) {
            for (NotificationType type : NotificationType.values()) {
                if (channel.wants(type, about) || channel.wants(type, Optional.empty())) {
                    return true;
                }
            }
        }
        return false;
    }

    public Optional<Channel> named(String name) {
        return channels.stream().filter(channel -> channel.name().equals(name)).findFirst();
    }

    public List<Channel> all() {
        return channels;
    }

    public boolean isEmpty() {
        return channels.isEmpty();
    }
}
