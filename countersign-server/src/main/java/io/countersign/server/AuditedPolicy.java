package io.countersign.server;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.policy.Breaker;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Policy;
import io.countersign.policy.PolicyEngine;
import io.countersign.policy.PolicyException;
import io.countersign.policy.PolicyListener;
import io.countersign.policy.ReloadingPolicy;
import io.countersign.server.policychange.PolicyChanges;
import io.countersign.workflow.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The policy that decides, with every version that starts deciding (and every rejected file)
 * recorded in the audit log: an auditor can tell which policy decided any action.
 */
final class AuditedPolicy implements PolicyEngine, PolicyChanges.ActivePolicy, AutoCloseable {
    private final PolicyEngine engine;
    private final AutoCloseable closer;

    private AuditedPolicy(PolicyEngine engine, AutoCloseable closer) {
        this.engine = engine;
        this.closer = closer;
    }

    /** The policy file, watched for changes, or the bundled example when there is none. */
    static AuditedPolicy open(Optional<Path> file, Store store, Clock clock) {
        return open(file, true, store, clock);
    }

    /**
     * The policy file, or the bundled example when there is none. With {@code reloadFromDisk}
     * false the file is read at start and then only when an approved change writes it.
     */
    static AuditedPolicy open(Optional<Path> file, boolean reloadFromDisk, Store store, Clock clock) {
        requireNonNull(store, "store is null");
        PolicyListener audit = new PolicyListener() {
            @Override
            public void loaded(Policy policy) {
                record(
                        store,
                        clock,
                        AuditEventType.POLICY_LOADED,
                        policy.fileName(),
                        // The full text too, so the evidence package can show every version in force and diff them.
                        data -> data.put("version", policy.version()).put("source", policy.source()));
            }

            @Override
            public void rejected(Path path, PolicyException problem) {
                record(
                        store,
                        clock,
                        AuditEventType.POLICY_REJECTED,
                        path.toString(),
                        data -> data.put("error", problem.getMessage()));
            }
        };
        if (file.isEmpty()) {
            Policy example = Policy.bundledExample();
            audit.loaded(example);
            return new AuditedPolicy(example, () -> {});
        }
        ReloadingPolicy reloading = reloadFromDisk
                ? ReloadingPolicy.watch(file.get(), audit)
                : ReloadingPolicy.unwatched(file.get(), audit);
        audit.loaded(reloading.current()); // the first load is not a change, so the watcher does not report it
        return new AuditedPolicy(reloading, reloading);
    }

    private static void record(
            Store store,
            Clock clock,
            AuditEventType type,
            String fileName,
            java.util.function.Consumer<ObjectNode> fill) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("file", fileName);
        fill.accept(data);
        store.transact(tx -> tx.append(new AuditEvent(
                type, clock.instant().truncatedTo(ChronoUnit.MILLIS), "system", Optional.empty(), data)));
    }

    @Override
    public Optional<Path> file() {
        return engine instanceof ReloadingPolicy reloading ? Optional.of(reloading.file()) : Optional.empty();
    }

    /**
     * Writes the file through a temporary file in the same folder and an atomic rename, so the
     * watcher (or a crash) never sees half a policy, then loads it at once.
     */
    @Override
    public synchronized Policy write(String content) throws IOException {
        if (!(engine instanceof ReloadingPolicy reloading)) {
            throw new IllegalStateException("the bundled example policy has no file to write");
        }
        Path target = reloading.file().toAbsolutePath();
        Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".new");
        try {
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        reloading.reloadNow();
        return reloading.current();
    }

    /** The policy deciding now, for pages that show it. */
    @Override
    public Policy current() {
        return engine instanceof ReloadingPolicy reloading ? reloading.current() : (Policy) engine;
    }

    @Override
    public Decision decide(DecisionInput input) {
        return engine.decide(input);
    }

    @Override
    public String version() {
        return engine.version();
    }

    @Override
    public List<Breaker> breakers() {
        return engine.breakers();
    }

    @Override
    public void close() throws Exception {
        closer.close();
    }
}
