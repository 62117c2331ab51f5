package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** A non-human principal. Labels (team, environment) are visible to policies. */
public record Agent(String name, Map<String, String> labels) implements Principal {
    public Agent {
        requireNonNull(name, "name is null");
        labels = Map.copyOf(requireNonNull(labels, "labels is null"));
    }

    public static Agent named(String name) {
        return new Agent(name, Map.of());
    }

    @Override
    public String auditName() {
        return "agent:" + name;
    }
}
