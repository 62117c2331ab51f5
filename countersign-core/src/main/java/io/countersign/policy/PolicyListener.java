package io.countersign.policy;

import java.nio.file.Path;

/**
 * Hears what a {@link ReloadingPolicy} does with a changed policy file. Called on the reloader's
 * thread (or the caller of {@link ReloadingPolicy#reloadNow()}); implementations should be quick and
 * must not block. An exception thrown here is logged and otherwise ignored.
 */
public interface PolicyListener {
    /** A changed file was valid and is now deciding. */
    void loaded(Policy policy);

    /** A changed file was invalid (or unreadable); the previous policy keeps deciding. */
    void rejected(Path file, PolicyException problem);

    /** A listener that does nothing, for callers that only need the logs. */
    static PolicyListener none() {
        return new PolicyListener() {
            @Override
            public void loaded(Policy policy) {}

            @Override
            public void rejected(Path file, PolicyException problem) {}
        };
    }
}
