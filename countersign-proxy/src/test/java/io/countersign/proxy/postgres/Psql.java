package io.countersign.proxy.postgres;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What psql (Debian's postgresql-client) printed for one {@code -c} command: unaligned rows, and errors with their SQLSTATE. */
record Psql(int exit, String out, String err) {
    static boolean installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "psql"))) {
                return true;
            }
        }
        return false;
    }

    /** psql as an agent: its name as the user, its key as the password, to a proxy on loopback. */
    record Session(int port, String user, String password, Path scratch) {
        Psql run(String sql) throws Exception {
            ProcessBuilder builder = new ProcessBuilder(
                    "psql",
                    "-X",
                    "-At",
                    "-v",
                    "VERBOSITY=verbose",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    String.valueOf(port),
                    "-U",
                    user,
                    "-d",
                    "app",
                    "-c",
                    sql);
            builder.environment().put("PGPASSWORD", password);
            builder.environment().put("PGSSLMODE", "disable");
            Path out = Files.createTempFile(scratch, "psql", ".out");
            Path err = Files.createTempFile(scratch, "psql", ".err");
            Process process = builder.redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("psql did not finish within 30 s: " + sql);
            }
            return new Psql(process.exitValue(), Files.readString(out), Files.readString(err));
        }
    }
}
