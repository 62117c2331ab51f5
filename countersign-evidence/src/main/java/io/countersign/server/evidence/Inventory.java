package io.countersign.server.evidence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who could act at the start and at the end of the period: every agent and every human the log
 * knows from its identity events (created, suspended, resumed, revoked, groups changed), with
 * their status, groups, roles and labels, replayed in log order up to each instant. The exporter
 * cites every identity event before the period for this, so that the start is complete too.
 *
 * <p>What the log does not hold is not here: humans who sign in through the identity provider
 * (their groups are the provider's record), and principals written to the store behind the
 * gateway's back.
 */
final class Inventory {
    /** The identity events, which the exporter cites from the log's start. */
    static final Set<String> TYPES = Set.of(
            "agent.created",
            "agent.revoked",
            "agent.suspended",
            "agent.resumed",
            "human.created",
            "human.revoked",
            "human.groups_changed");

    private Inventory() {}

    /** One principal as of an instant. */
    record Row(
            String asOf,
            Instant at,
            String kind,
            String name,
            String status,
            List<String> groups,
            List<String> roles,
            String labels,
            long lastChangeSeq) {
        Row {
            groups = List.copyOf(groups);
            roles = List.copyOf(roles);
        }
    }

    /** The inventory at the period's start, then at its end, each sorted by kind and name. */
    static List<Row> of(List<LoggedEvent> events, EvidencePeriod period) {
        List<Row> rows = new ArrayList<>(as("start", period.from(), events));
        rows.addAll(as("end", period.to(), events));
        return rows;
    }

    private static List<Row> as(String asOf, Instant before, List<LoggedEvent> events) {
        Map<String, Row> known = new TreeMap<>();
        for (LoggedEvent event : events) {
            if (!TYPES.contains(event.type()) || !event.time().isBefore(before)) {
                continue;
            }
            boolean agent = event.type().startsWith("agent.");
            String name = event.text(agent ? "agent" : "human");
            String key = (agent ? "agent " : "human ") + name;
            Row previous = known.get(key);
            String status = previous == null ? "active" : previous.status();
            List<String> groups = previous == null ? List.of() : previous.groups();
            List<String> roles = previous == null ? List.of() : previous.roles();
            String labels = previous == null ? "" : previous.labels();
            switch (event.type()) {
                case "agent.created" -> {
                    status = "active";
                    List<String> pairs = new ArrayList<>();
                    event.data()
                            .path("labels")
                            .properties()
                            .forEach(e ->
                                    pairs.add(e.getKey() + "=" + e.getValue().asString()));
                    labels = String.join(";", pairs);
                }
                case "human.created" -> {
                    status = "active";
                    groups = strings(event, "groups");
                    roles = strings(event, "roles");
                }
                case "human.groups_changed" -> {
                    groups = strings(event, "groups");
                    roles = strings(event, "roles");
                }
                case "agent.suspended" -> status = "suspended";
                case "agent.resumed" -> status = "active";
                default -> status = "revoked";
            }
            known.put(
                    key,
                    new Row(asOf, before, agent ? "agent" : "human", name, status, groups, roles, labels, event.seq()));
        }
        return List.copyOf(known.values());
    }

    private static List<String> strings(LoggedEvent event, String field) {
        Set<String> values = new TreeSet<>();
        event.data().path(field).forEach(value -> values.add(value.asString()));
        return List.copyOf(values);
    }
}
