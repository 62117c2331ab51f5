package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Commit;
import net.sf.jsqlparser.statement.ResetStatement;
import net.sf.jsqlparser.statement.RollbackStatement;
import net.sf.jsqlparser.statement.SavepointStatement;
import net.sf.jsqlparser.statement.SetStatement;
import net.sf.jsqlparser.statement.ShowStatement;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.UnsupportedStatement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.execute.Execute;
import net.sf.jsqlparser.statement.grant.Grant;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.truncate.Truncate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Turns SQL text into {@link SqlStatement}s with JSqlParser. What JSqlParser doesn't read is
 * recognized only in three exact shapes that carry no other statement: a bare transaction
 * command ({@code BEGIN}, {@code START TRANSACTION ...}, {@code END}, {@code ABORT},
 * {@code RELEASE ...}), and {@code COPY} to {@code STDOUT} or from {@code STDIN}. Anything else is
 * unparsed, and the policy's {@code unparsed} setting decides it.
 */
public final class SqlStatements {
    private static final Pattern TRANSACTION = Pattern.compile(
            "(?i)\\s*(BEGIN|START\\s+TRANSACTION|END|ABORT|RELEASE)(\\s+[A-Za-z_][A-Za-z0-9_ ,]*)?\\s*;?\\s*");
    private static final String OPTIONS = "(\\s+(WITH\\s*)?\\(?[A-Za-z0-9_ ,'\"]*\\)?)?\\s*;?\\s*";
    private static final String NAME =
            "((?:\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*)(?:\\.(?:\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*))?)";
    private static final Pattern COPY_TABLE = Pattern.compile(
            "(?is)\\s*COPY\\s+" + NAME + "\\s*(\\([A-Za-z0-9_ ,\"]*\\))?\\s+(TO\\s+STDOUT|FROM\\s+STDIN)" + OPTIONS);
    private static final Pattern COPY_QUERY = Pattern.compile("(?is)\\s*COPY\\s*\\((.*)\\)\\s*TO\\s+STDOUT" + OPTIONS);
    private static final Pattern SAFE_IDENTIFIER = Pattern.compile("[A-Za-z0-9_$:@=+-]+");

    /**
     * Where JSqlParser runs each parse under its time limit (a guard against pathological input).
     * Without one it starts and interrupts a platform thread per statement, which the proxy's
     * profile showed on every allowed statement; a virtual thread per parse costs next to nothing.
     */
    private final ExecutorService parsing = Executors.newVirtualThreadPerTaskExecutor();

    /** The statements of {@code sql}, or why it could not be read. */
    public sealed interface Parsed {
        record Read(List<SqlStatement> statements) implements Parsed {
            public Read {
                statements = List.copyOf(statements);
            }
        }

        record Unparsed(String why) implements Parsed {
            public Unparsed {
                requireNonNull(why, "why is null");
            }
        }
    }

    public Parsed parse(String sql) {
        requireNonNull(sql, "sql is null");
        if (TRANSACTION.matcher(sql).matches()) {
            return new Parsed.Read(
                    List.of(new SqlStatement(sql.strip(), SqlStatement.Kind.TRANSACTION, List.of(), false, List.of())));
        }
        Optional<SqlStatement> copy = copy(sql);
        if (copy.isPresent()) {
            return new Parsed.Read(List.of(copy.get()));
        }
        @org.jspecify.annotations.Nullable Statements statements;
        try {
            statements = CCJSqlParserUtil.parseStatements(sql, parsing, parser -> {});
        } catch (JSQLParserException | RuntimeException e) {
            return new Parsed.Unparsed("the SQL parser could not read the statement");
        }
        if (statements == null) {
            // JSqlParser answers null, not an empty list, for a text with no statement.
            return new Parsed.Unparsed("there is no statement");
        }
        List<SqlStatement> read = new ArrayList<>();
        for (Statement statement : statements) {
            if (statement instanceof UnsupportedStatement) {
                return new Parsed.Unparsed("the SQL parser does not support the statement");
            }
            Optional<SqlStatement> one;
            try {
                one = describe(statement);
            } catch (RuntimeException e) {
                // JSqlParser's visitors fail on some shapes (a CTE read through a subquery): unparsed, not a
                // session ended by the exception.
                one = Optional.empty();
            }
            if (one.isEmpty()) {
                return new Parsed.Unparsed(
                        "the statement's tables could not be read, or a table name can't be named in a resource");
            }
            read.add(one.get());
        }
        if (read.isEmpty()) {
            return new Parsed.Unparsed("there is no statement");
        }
        return new Parsed.Read(read);
    }

    private Optional<SqlStatement> copy(String sql) {
        Matcher table = COPY_TABLE.matcher(sql);
        if (table.matches()) {
            boolean out = table.group(3).toUpperCase(Locale.ROOT).startsWith("TO");
            return qualified(table.group(1))
                    .map(name -> new SqlStatement(
                            sql.strip(),
                            out ? SqlStatement.Kind.COPY_OUT : SqlStatement.Kind.COPY_IN,
                            List.of(name),
                            false,
                            List.of()));
        }
        Matcher query = COPY_QUERY.matcher(sql);
        if (query.matches()) {
            try {
                Statements inner = CCJSqlParserUtil.parseStatements(query.group(1), parsing, parser -> {});
                if (inner.size() == 1 && inner.get(0) instanceof Select select) {
                    return describe(select)
                            .filter(read -> read.kind() == SqlStatement.Kind.SELECT)
                            .map(read -> new SqlStatement(
                                    sql.strip(), SqlStatement.Kind.COPY_OUT, read.tables(), false, read.functions()));
                }
            } catch (JSQLParserException | RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private Optional<SqlStatement> describe(Statement statement) {
        Names names = new Names();
        Set<String> rawTables = new LinkedHashSet<>();
        try {
            rawTables.addAll(names.getTables(statement));
        } catch (UnsupportedOperationException e) {
            // Some statements (GRANT, SET) have no table finder; their kind decides them.
        } catch (RuntimeException e) {
            // The finder fails on some shapes (a DELETE inside WITH): without its tables, the statement can't be
            // decided per table.
            return Optional.empty();
        }
        if (statement instanceof PlainSelect plain && plain.getIntoTables() != null) {
            plain.getIntoTables().forEach(table -> rawTables.add(table.getFullyQualifiedName()));
        }
        if (statement instanceof Grant grant && grant.getObjectName() != null) {
            rawTables.add(grant.getObjectName());
        }
        List<String> tables = new ArrayList<>();
        for (String raw : rawTables) {
            Optional<String> name = qualified(raw);
            if (name.isEmpty()) {
                return Optional.empty();
            }
            tables.add(name.get());
        }
        SqlStatement.Kind kind = kind(statement);
        boolean hasWhere =
                switch (statement) {
                    case Update update -> update.getWhere() != null;
                    case Delete delete -> delete.getWhere() != null;
                    default -> false;
                };
        return Optional.of(
                new SqlStatement(statement.toString(), kind, tables, hasWhere, List.copyOf(names.functions)));
    }

    private static SqlStatement.Kind kind(Statement statement) {
        return switch (statement) {
            case Select select -> selectKind(select);
            case Insert insert -> SqlStatement.Kind.INSERT;
            case Update update -> SqlStatement.Kind.UPDATE;
            case Delete delete -> SqlStatement.Kind.DELETE;
            // TRUNCATE empties the table: decided as a DELETE without WHERE.
            case Truncate truncate -> SqlStatement.Kind.DELETE;
            case Merge merge -> SqlStatement.Kind.MERGE;
            case Grant grant -> SqlStatement.Kind.GRANT;
            case Execute execute -> SqlStatement.Kind.CALL;
            case SetStatement set -> SqlStatement.Kind.SET;
            case ResetStatement reset -> SqlStatement.Kind.SET;
            case Commit commit -> SqlStatement.Kind.TRANSACTION;
            case RollbackStatement rollback -> SqlStatement.Kind.TRANSACTION;
            case SavepointStatement savepoint -> SqlStatement.Kind.TRANSACTION;
            case ShowStatement show -> SqlStatement.Kind.OTHER;
            default -> isDdl(statement) ? SqlStatement.Kind.DDL : SqlStatement.Kind.OTHER;
        };
    }

    /** A SELECT that writes is decided as what it writes: a data-modifying WITH, or SELECT INTO (a new table). */
    private static SqlStatement.Kind selectKind(Select select) {
        if (select.getWithItemsList() != null) {
            for (WithItem<?> with : select.getWithItemsList()) {
                if (with.getDelete() != null) {
                    return SqlStatement.Kind.DELETE;
                }
                if (with.getUpdate() != null) {
                    return SqlStatement.Kind.UPDATE;
                }
                if (with.getInsert() != null) {
                    return SqlStatement.Kind.INSERT;
                }
            }
        }
        if (select instanceof PlainSelect plain
                && (plain.getIntoTables() != null || plain.getIntoTempTable() != null)) {
            return SqlStatement.Kind.DDL;
        }
        return SqlStatement.Kind.SELECT;
    }

    private static boolean isDdl(Statement statement) {
        String pkg = statement.getClass().getPackageName();
        return pkg.endsWith(".create.table")
                || pkg.contains(".create")
                || pkg.contains(".alter")
                || pkg.contains(".drop")
                || pkg.endsWith(".comment");
    }

    /**
     * {@code schema.table} with unquoted parts folded to lower case as PostgreSQL does, {@code public}
     * for an unqualified name; empty when a part has characters a resource can't hold.
     */
    static Optional<String> qualified(String raw) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(quoted ? c : Character.toLowerCase(c));
            }
        }
        parts.add(part.toString());
        if (parts.size() == 1) {
            parts.addFirst("public");
        }
        if (parts.size() != 2
                || parts.stream().anyMatch(p -> !SAFE_IDENTIFIER.matcher(p).matches())) {
            return Optional.empty();
        }
        return Optional.of(parts.get(0) + "." + parts.get(1));
    }

    /** The table finder, also collecting the names of the functions the statement calls. */
    private static final class Names extends TablesNamesFinder<Void> {
        private final Set<String> functions = new LinkedHashSet<>();

        @Override
        public <S> Void visit(Function function, S context) {
            // pg_catalog.pg_read_file is pg_read_file: the policy names the function, not its schema.
            String name = function.getName().toLowerCase(Locale.ROOT).replace("\"", "");
            functions.add(name.substring(name.lastIndexOf('.') + 1));
            return super.visit(function, context);
        }
    }
}
