package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.workflow.RequestId;
import io.countersign.workflow.Workflow;
import io.countersign.workflow.WorkflowException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests this process holds a call for, in {@code mcp-held/<pid>-<start>} in the data folder,
 * one request id a line. A held call lives only in the memory of the process that waits for it: if
 * that process dies (kill -9, a crash), nothing would run the call after an approval, but a human
 * could still approve it. So each gateway, at start and then every little while, cancels the
 * requests listed by processes that no longer run (a pid that is gone, or reused by a process that
 * started at another time), and removes their files. Several processes on one data folder (a
 * {@code serve} and desktop agents' {@code mcp --stdio}) each keep their own file.
 */
final class HeldRequests {
    private static final Logger LOG = LoggerFactory.getLogger(HeldRequests.class);
    static final String FOLDER = "mcp-held";

    private final Path folder;
    private final Path mine;
    private final Workflow workflow;
    private final Set<String> held = new LinkedHashSet<>();

    HeldRequests(Path dataDirectory, Workflow workflow) {
        this.folder = requireNonNull(dataDirectory, "dataDirectory is null").resolve(FOLDER);
        this.workflow = requireNonNull(workflow, "workflow is null");
        ProcessHandle self = ProcessHandle.current();
        this.mine = folder.resolve(fileName(self.pid(), self.info().startInstant()));
    }

    private static String fileName(long pid, Optional<Instant> start) {
        return pid + "-" + start.map(Instant::toEpochMilli).orElse(0L);
    }

    /** This process now holds a call for {@code id}. */
    synchronized void holding(RequestId id) {
        held.add(id.value());
        write();
    }

    /** This process no longer holds {@code id}'s call (answered, cancelled, or the request was decided). */
    synchronized void released(RequestId id) {
        if (held.remove(id.value())) {
            write();
        }
    }

    private void write() {
        try {
            if (held.isEmpty()) {
                Files.deleteIfExists(mine);
                return;
            }
            Files.createDirectories(folder);
            Path next = folder.resolve(mine.getFileName() + ".tmp");
            Files.writeString(next, String.join("\n", held) + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(next, mine, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(next, mine, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // The held call itself is unaffected; only a crash of this process would leave it for a human to cancel.
            LOG.warn("mcp: could not record the held requests in {}: {}", mine, e.getMessage());
        }
    }

    /** Cancels the requests held by processes that no longer run; returns how many were cancelled. */
    int sweepDeadProcesses() {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            entries.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + folder, e);
        }
        int cancelled = 0;
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.endsWith(".tmp") || file.equals(mine) || alive(name)) {
                continue;
            }
            cancelled += cancelAll(file, name);
        }
        return cancelled;
    }

    private int cancelAll(Path file, String name) {
        List<String> ids;
        try {
            ids = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("mcp: could not read {}: {}", file, e.getMessage());
            return 0;
        }
        String pid = name.contains("-") ? name.substring(0, name.indexOf('-')) : name;
        int cancelled = 0;
        for (String id : ids) {
            if (id.isBlank()) {
                continue;
            }
            try {
                RequestId request = new RequestId(id.strip());
                boolean wasPending =
                        workflow.find(request).map(found -> found.isPending()).orElse(false);
                workflow.abandon(
                        request,
                        "the MCP gateway process (pid " + pid
                                + ") that held this call exited, so the call can no longer run");
                if (wasPending) {
                    cancelled++;
                }
            } catch (WorkflowException | IllegalArgumentException e) {
                LOG.warn("mcp: request {} held by dead process {} could not be cancelled: {}", id, pid, e.getMessage());
            }
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("mcp: could not remove {}: {}", file, e.getMessage());
        }
        return cancelled;
    }

    /** Whether the process a file is named for still runs (same pid, same start time). */
    private static boolean alive(String name) {
        int dash = name.indexOf('-');
        if (dash < 0) {
            return false;
        }
        try {
            long pid = Long.parseLong(name.substring(0, dash));
            long start = Long.parseLong(name.substring(dash + 1));
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .map(process -> fileName(pid, process.info().startInstant()).equals(pid + "-" + start))
                    .orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
