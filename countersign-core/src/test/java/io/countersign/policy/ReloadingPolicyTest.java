package io.countersign.policy;

import static io.countersign.policy.Inputs.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingPolicyTest {
    private static final String ALLOW_QUERIES =
            "rules:\n  - {name: queries, match: {action: db.query}, effect: allow}\n";
    private static final String DENY_QUERIES =
            "rules:\n  - {name: no-queries, match: {action: db.query}, effect: deny}\n";
    private static final String BROKEN = "rules:\n  - {name: broken, match: {action: db.query}, effect: alow}\n";

    @TempDir
    Path dir;

    /** A hand-written listener that records what it hears, in order. */
    static final class RecordingListener implements PolicyListener {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

        @Override
        public void loaded(Policy policy) {
            events.add(policy);
        }

        @Override
        public void rejected(Path file, PolicyException problem) {
            events.add(problem);
        }

        Object next() throws InterruptedException {
            Object event = events.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("an event within 10 s").isNotNull();
            return event;
        }
    }

    private Path write(String text) throws Exception {
        // Write-then-rename, as editors and config management do, so a poll never sees half a file.
        Path file = dir.resolve("policy.yaml");
        Path temp = Files.writeString(dir.resolve("policy.yaml.tmp"), text);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    @Test
    void validChange_swapsThePolicy_andTellsTheListener() throws Exception {
        Path file = write(ALLOW_QUERIES);
        RecordingListener listener = new RecordingListener();
        try (ReloadingPolicy policy = ReloadingPolicy.unwatched(file, listener)) {
            String before = policy.version();
            assertThat(policy.decide(input("db.query", "x")).effect()).isEqualTo(Effect.ALLOW);

            write(DENY_QUERIES);

            assertThat(policy.reloadNow()).isEqualTo(ReloadingPolicy.Outcome.LOADED);
            assertThat(policy.version())
                    .isNotEqualTo(before)
                    .isEqualTo("sha256:" + PolicyDecisionTest.sha256Hex(DENY_QUERIES));
            Decision decision = policy.decide(input("db.query", "x"));
            assertThat(decision.effect()).isEqualTo(Effect.DENY);
            assertThat(decision.policyVersion()).isEqualTo(policy.version());
            assertThat(listener.next()).isSameAs(policy.current());
            assertThat(listener.events).isEmpty();
        }
    }

    @Test
    void invalidChange_keepsTheOldPolicy_andReportsTheError() throws Exception {
        Path file = write(ALLOW_QUERIES);
        RecordingListener listener = new RecordingListener();
        try (ReloadingPolicy policy = ReloadingPolicy.unwatched(file, listener)) {
            Policy before = policy.current();

            write(BROKEN);

            assertThat(policy.reloadNow()).isEqualTo(ReloadingPolicy.Outcome.REJECTED);
            assertThat(policy.current()).isSameAs(before);
            assertThat(policy.decide(input("db.query", "x")).effect()).isEqualTo(Effect.ALLOW);
            PolicyException problem = (PolicyException) listener.next();
            assertThat(problem)
                    .hasMessage(file
                            + " line 2, rule 'broken': unknown effect 'alow'; want allow, deny or require_approval");

            // Asked again explicitly, it reports again; fixed, it loads.
            assertThat(policy.reloadNow()).isEqualTo(ReloadingPolicy.Outcome.REJECTED);
            write(DENY_QUERIES);
            assertThat(policy.reloadNow()).isEqualTo(ReloadingPolicy.Outcome.LOADED);
            assertThat(policy.decide(input("db.query", "x")).effect()).isEqualTo(Effect.DENY);
        }
    }

    @Test
    void unchangedFile_isNotReloaded() throws Exception {
        Path file = write(ALLOW_QUERIES);
        RecordingListener listener = new RecordingListener();
        try (ReloadingPolicy policy = ReloadingPolicy.unwatched(file, listener)) {
            Policy before = policy.current();

            write(ALLOW_QUERIES);

            assertThat(policy.reloadNow()).isEqualTo(ReloadingPolicy.Outcome.UNCHANGED);
            assertThat(policy.current()).isSameAs(before);
            assertThat(listener.events).isEmpty();
        }
    }

    @Test
    void deletedFile_keepsTheOldPolicy_andReportsIt() throws Exception {
        Path file = write(ALLOW_QUERIES);
        RecordingListener listener = new RecordingListener();
        try (ReloadingPolicy policy = ReloadingPolicy.unwatched(file, listener)) {
            Files.delete(file);

            assertThat(policy.reloadNow()).isEqualTo(ReloadingPolicy.Outcome.REJECTED);
            assertThat(policy.decide(input("db.query", "x")).effect()).isEqualTo(Effect.ALLOW);
            assertThat(((PolicyException) listener.next()).getMessage())
                    .startsWith(file + ": cannot read the policy: ");
        }
    }

    @Test
    void invalidFileAtStart_isRefused() throws Exception {
        Path file = write(BROKEN);

        assertThatThrownBy(() -> ReloadingPolicy.watch(file, PolicyListener.none()))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("line 2, rule 'broken'");
    }

    @Test
    void watching_picksUpChanges_andReportsABadFileOnce() throws Exception {
        Path file = write(ALLOW_QUERIES);
        RecordingListener listener = new RecordingListener();
        try (ReloadingPolicy policy = ReloadingPolicy.watch(file, Duration.ofMillis(20), listener)) {
            write(DENY_QUERIES);
            assertThat(listener.next()).isInstanceOf(Policy.class);
            assertThat(policy.decide(input("db.query", "x")).effect()).isEqualTo(Effect.DENY);

            write(BROKEN);
            assertThat(listener.next()).isInstanceOf(PolicyException.class);
            // About ten polls: the same bad file must not be reported again, and the last good policy keeps deciding.
            Thread.sleep(200);
            assertThat(listener.events).isEmpty();
            assertThat(policy.decide(input("db.query", "x")).effect()).isEqualTo(Effect.DENY);

            write(ALLOW_QUERIES.replace("queries", "queries-again"));
            Policy reloaded = (Policy) listener.next();
            assertThat(reloaded.rules()).extracting(RuleSummary::name).containsExactly("queries-again");
            assertThat(List.copyOf(listener.events)).isEmpty();
        }
    }

    @Test
    void watch_refusesANonPositiveInterval() throws Exception {
        Path file = write(ALLOW_QUERIES);

        assertThatThrownBy(() -> ReloadingPolicy.watch(file, Duration.ZERO, PolicyListener.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("poll interval is PT0S, want a positive duration");
    }
}
