package io.countersign.store.sqlite;

import static io.countersign.store.Requests.created;
import static io.countersign.store.Requests.event;
import static io.countersign.store.Requests.pending;

import io.countersign.audit.AuditEventType;
import io.countersign.workflow.ApprovalRequest;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The child process of {@link SqliteCrashTest}: writes from several threads until it is killed,
 * printing {@code ACK <request id>} after each {@code transact} returns, that is once the store
 * has acknowledged the request and its two audit events. Arguments: data directory, threads.
 */
public final class CrashTestWriter {
    private CrashTestWriter() {}

    public static void main(String[] args) {
        Path data = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        SqliteStore store = SqliteStore.open(data);
        PrintStream out = System.out;
        for (int t = 0; t < threads; t++) {
            String agent = "crash-bot-" + t;
            Thread.ofPlatform().start(() -> {
                while (true) {
                    ApprovalRequest request = pending(agent);
                    store.transact(tx -> {
                        tx.insert(request);
                        tx.append(created(request));
                        tx.append(event(AuditEventType.DECISION_MADE, request, request.createdAt()));
                        return null;
                    });
                    synchronized (out) {
                        out.println("ACK " + request.id());
                        out.flush();
                    }
                }
            });
        }
        // The store is never closed: the test kills this process with SIGKILL.
    }
}
