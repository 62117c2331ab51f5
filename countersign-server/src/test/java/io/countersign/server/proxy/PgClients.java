package io.countersign.server.proxy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The four PostgreSQL clients agents use, run unchanged against a port: psql (Debian's
 * postgresql-client), pgJDBC, node-postgres (npm {@code pg}, installed into {@code target/node-pg})
 * and psycopg2 (Debian's python3-psycopg2). A missing tool skips its test, saying which.
 */
enum PgClients {
    PSQL,
    PGJDBC,
    NODE_POSTGRES,
    PSYCOPG2;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern PSQL_ERROR = Pattern.compile("ERROR:\\s+([0-9A-Z]{5}):\\s+(.*)");

    /** What one statement gave: its rows (each row's values joined by '|'), or the SQLSTATE and message of its error; the notices seen. */
    record Result(List<String> rows, Optional<String> sqlState, String message, List<String> notices) {}

    Result run(int port, String user, String password, String sql) throws Exception {
        return switch (this) {
            case PSQL -> psql(port, user, password, sql);
            case PGJDBC -> jdbc(port, user, password, sql);
            case NODE_POSTGRES ->
                json(
                        List.of("node", script("query.cjs").toString(), String.valueOf(port), user, password, sql),
                        Map.of("NODE_PATH", nodeModules().toString()));
            case PSYCOPG2 ->
                json(
                        List.of(
                                "/usr/bin/python3",
                                script("query.py").toString(),
                                String.valueOf(port),
                                user,
                                password,
                                sql),
                        Map.of());
        };
    }

    /** Skips the calling test when this client's tool is missing. */
    void requireInstalled() {
        switch (this) {
            case PSQL ->
                assumeTrue(onPath("psql"), "psql is not installed (apt-get install -y postgresql-client): skipping");
            case NODE_POSTGRES -> {
                assumeTrue(
                        onPath("node") && onPath("npm"),
                        "node or npm is not installed: skipping the node-postgres test");
                nodeModules();
            }
            case PSYCOPG2 ->
                assumeTrue(
                        exitsZero(List.of("/usr/bin/python3", "-c", "import psycopg2")),
                        "psycopg2 is not installed (apt-get install -y python3-psycopg2): skipping");
            case PGJDBC -> {}
        }
    }

    private static Result psql(int port, String user, String password, String sql) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                "psql",
                "-X",
                "-A",
                "-t",
                "-v",
                "VERBOSITY=verbose",
                "host=127.0.0.1 port=" + port + " dbname=app user=" + user + " sslmode=prefer",
                "-c",
                sql);
        builder.environment().put("PGPASSWORD", password);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(60, TimeUnit.SECONDS);
        List<String> notices =
                err.lines().filter(line -> line.startsWith("NOTICE:")).toList();
        Matcher error = PSQL_ERROR.matcher(err);
        if (error.find()) {
            return new Result(List.of(), Optional.of(error.group(1)), error.group(2), notices);
        }
        if (process.exitValue() != 0) {
            return new Result(List.of(), Optional.of("exit " + process.exitValue()), err, notices);
        }
        return new Result(out.lines().filter(line -> !line.isEmpty()).toList(), Optional.empty(), "", notices);
    }

    private static Result jdbc(int port, String user, String password, String sql) {
        try (Connection connection =
                        DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/app", user, password);
                Statement statement = connection.createStatement()) {
            List<String> rows = new ArrayList<>();
            if (statement.execute(sql)) {
                try (ResultSet result = statement.getResultSet()) {
                    int columns = result.getMetaData().getColumnCount();
                    while (result.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= columns; i++) {
                            row.append(i > 1 ? "|" : "").append(result.getString(i));
                        }
                        rows.add(row.toString());
                    }
                }
            }
            List<String> notices = new ArrayList<>();
            for (var warning = statement.getWarnings(); warning != null; warning = warning.getNextWarning()) {
                notices.add(warning.getMessage());
            }
            return new Result(rows, Optional.empty(), "", notices);
        } catch (SQLException e) {
            return new Result(List.of(), Optional.ofNullable(e.getSQLState()), e.getMessage(), List.of());
        }
    }

    private static Result json(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        process.waitFor(60, TimeUnit.SECONDS);
        JsonNode answer =
                JSON.readTree(out.lines().reduce((first, last) -> last).orElse("{}"));
        List<String> notices = new ArrayList<>();
        answer.path("notices").forEach(notice -> notices.add(notice.asString()));
        if (answer.has("error")) {
            return new Result(
                    List.of(),
                    Optional.of(answer.path("error").asString()),
                    answer.path("message").asString(),
                    notices);
        }
        List<String> rows = new ArrayList<>();
        answer.path("rows").forEach(row -> rows.add(row.asString()));
        return new Result(rows, Optional.empty(), "", notices);
    }

    private static Path script(String name) throws IOException {
        Path folder = Path.of("target", "pg-clients");
        Files.createDirectories(folder);
        Path script = folder.resolve(name);
        try (InputStream in = PgClients.class.getResourceAsStream("/pg-clients/" + name)) {
            Files.write(script, in.readAllBytes());
        }
        return script.toAbsolutePath();
    }

    /** npm {@code pg}, installed once into target/node-pg (under the build folder, never committed). */
    private static synchronized Path nodeModules() {
        Path prefix = Path.of("target", "node-pg").toAbsolutePath();
        Path modules = prefix.resolve("node_modules");
        if (Files.isDirectory(modules.resolve("pg"))) {
            return modules;
        }
        try {
            Files.createDirectories(prefix);
            Process npm = new ProcessBuilder(
                            "npm", "install", "--no-audit", "--no-fund", "--prefix", prefix.toString(), "pg@8")
                    .redirectErrorStream(true)
                    .redirectOutput(prefix.resolve("npm-install.log").toFile())
                    .start();
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                throw new IllegalStateException("npm install pg failed; see " + prefix.resolve("npm-install.log"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("npm install pg failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing pg", e);
        }
        return modules;
    }

    private static boolean onPath(String tool) {
        return exitsZero(List.of("sh", "-c", "command -v " + tool));
    }

    private static boolean exitsZero(List<String> command) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
