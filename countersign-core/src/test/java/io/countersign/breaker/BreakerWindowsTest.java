package io.countersign.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.policy.Breaker;
import io.countersign.policy.Effect;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BreakerWindowsTest {
    private static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");
    private final Breaker threePerMinute = new Breaker(
            "deletes", new Breaker.OnRule("deletes"), 3, Duration.ofMinutes(1), Effect.DENY, Optional.empty(), 1);
    private final BreakerWindows windows = new BreakerWindows();

    @Test
    void countsTheActionsWithinTheWindow_includingThisOne() {
        assertThat(windows.count("cleaner", threePerMinute, T0)).isEqualTo(1);
        assertThat(windows.count("cleaner", threePerMinute, T0.plusSeconds(30))).isEqualTo(2);
        assertThat(windows.count("cleaner", threePerMinute, T0.plusSeconds(60)))
                .as("the first is exactly a window old: out")
                .isEqualTo(2);
        assertThat(windows.count("reporter", threePerMinute, T0.plusSeconds(60)))
                .as("each agent its own window")
                .isEqualTo(1);
    }

    @Test
    void keepsNoMoreThanMaxPlusOneInstants() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(windows.count("cleaner", threePerMinute, T0)).isEqualTo(Math.min(i + 1, 4));
        }
    }

    @Test
    void clearing_startsTheCountAfresh() {
        windows.count("cleaner", threePerMinute, T0);
        windows.count("cleaner", threePerMinute, T0);

        windows.clear("cleaner", "deletes");

        assertThat(windows.count("cleaner", threePerMinute, T0)).isEqualTo(1);
    }

    @Test
    void pruning_dropsTheWindowsOfAgentsThatWentQuiet() {
        windows.count("cleaner", threePerMinute, T0);
        windows.count("reporter", threePerMinute, T0.plusSeconds(50));

        windows.prune(T0.plusSeconds(90), Duration.ofMinutes(1));

        assertThat(windows.size()).isEqualTo(1);
    }
}
