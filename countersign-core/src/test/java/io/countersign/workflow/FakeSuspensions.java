package io.countersign.workflow;

import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.Suspension;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Suspensions kept in a map, by lower-cased agent name, as the real store keys them. */
final class FakeSuspensions implements AgentSuspensions {
    private final Map<String, Suspension> byName = new ConcurrentHashMap<>();

    @Override
    public Optional<Suspension> suspensionOf(String agentName) {
        return Optional.ofNullable(byName.get(agentName.toLowerCase(Locale.ROOT)));
    }

    @Override
    public boolean suspend(Suspension suspension) {
        return byName.putIfAbsent(suspension.agent().toLowerCase(Locale.ROOT), suspension) == null;
    }

    @Override
    public boolean resume(String agentName) {
        return byName.remove(agentName.toLowerCase(Locale.ROOT)) != null;
    }

    @Override
    public List<Suspension> suspended() {
        return new ArrayList<>(byName.values());
    }
}
