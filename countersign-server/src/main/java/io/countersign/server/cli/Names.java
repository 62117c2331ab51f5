package io.countersign.server.cli;

import java.util.regex.Pattern;

/** Names of agents, humans and groups: what the audit log and policies can quote without escaping. */
final class Names {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    private Names() {}

    static void requireValid(String kind, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(kind + " name '" + name
                    + "' must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
        }
    }
}
