package io.countersign.server.hooks;

import static java.util.Objects.requireNonNull;

/** What a PreToolUse hook answers Claude Code: {@code allow}, {@code deny} or {@code ask}, with the reason. */
public record HookDecision(Permission permission, String reason) {
    public enum Permission {
        ALLOW("allow"),
        DENY("deny"),
        ASK("ask");

        private final String wireName;

        Permission(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    public HookDecision {
        requireNonNull(permission, "permission is null");
        requireNonNull(reason, "reason is null");
    }
}
