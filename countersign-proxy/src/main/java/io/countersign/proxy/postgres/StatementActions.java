package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * SQL as actions: {@code sql.<kind>} on {@code pg/<proxy>/<database>/<schema>.<table>}, one per
 * table (a statement on no table is one action on {@code pg/<proxy>/<database>}), with params
 * {@code {statement, kind, tables, hasWhere, functions, parameters}}. What the parser can't read is
 * {@code sql.unparsed} on the database.
 */
final class StatementActions {
    static final String UNPARSED = "sql.unparsed";

    private final String proxy;
    private final String database;
    private final SqlStatements parser = new SqlStatements();

    StatementActions(String proxy, String database) {
        this.proxy = requireNonNull(proxy, "proxy is null");
        this.database = requireNonNull(database, "database is null");
    }

    /** Every action of {@code sql}, all of which must be allowed for it to run; {@code parameters} are the bound values, if any. */
    List<Action> of(String sql, Optional<List<Optional<String>>> parameters) {
        ArrayNode bound = JsonNodeFactory.instance.arrayNode();
        parameters.ifPresent(values -> values.forEach(value -> value.ifPresentOrElse(bound::add, bound::addNull)));
        String base = "pg/" + proxy + "/" + database;
        return switch (parser.parse(sql)) {
            case SqlStatements.Parsed.Unparsed unparsed -> {
                ObjectNode params = JsonNodeFactory.instance.objectNode();
                params.put("statement", sql);
                params.put("kind", "unparsed");
                params.put("why", unparsed.why());
                params.set("parameters", bound);
                yield List.of(new Action(
                        UNPARSED, base, params, "unparsed SQL through PostgreSQL proxy " + proxy, Optional.empty()));
            }
            case SqlStatements.Parsed.Read read -> {
                List<Action> actions = new ArrayList<>();
                for (SqlStatement statement : read.statements()) {
                    ObjectNode params = JsonNodeFactory.instance.objectNode();
                    // The exact text that runs, so an approval binds to it; a part of several is shown as the parser
                    // read it.
                    params.put("statement", sql);
                    if (read.statements().size() > 1) {
                        params.put("part", statement.text());
                    }
                    params.put("kind", statement.kind().wireName());
                    ArrayNode tables = params.putArray("tables");
                    statement.tables().forEach(tables::add);
                    params.put("hasWhere", statement.hasWhere());
                    ArrayNode functions = params.putArray("functions");
                    statement.functions().forEach(functions::add);
                    params.set("parameters", bound);
                    String action = "sql." + statement.kind().wireName();
                    String reason = "SQL " + statement.kind().wireName() + " through PostgreSQL proxy " + proxy;
                    if (statement.tables().isEmpty()) {
                        actions.add(new Action(action, base, params, reason, Optional.empty()));
                    }
                    for (String table : statement.tables()) {
                        actions.add(new Action(action, base + "/" + table, params, reason, Optional.empty()));
                    }
                }
                yield actions;
            }
        };
    }
}
