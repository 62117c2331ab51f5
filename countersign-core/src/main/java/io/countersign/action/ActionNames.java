package io.countersign.action;

import java.util.regex.Pattern;

/** The shapes of action and resource names: what a policy glob can reliably match. */
public final class ActionNames {
    private static final Pattern ACTION = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    private static final Pattern RESOURCE = Pattern.compile("[A-Za-z0-9_.:@=+-]+(/[A-Za-z0-9_.:@=+-]+)*");
    private static final int MAX_LENGTH = 256;

    private ActionNames() {}

    static void requireValidAction(String action) {
        if (action.length() > MAX_LENGTH || !ACTION.matcher(action).matches()) {
            throw new IllegalArgumentException("action '" + shorten(action)
                    + "' is not a dotted name like 'db.export' (letters, digits, '_', '-', at most " + MAX_LENGTH
                    + " characters)");
        }
    }

    static void requireValidResource(String resource) {
        if (resource.length() > MAX_LENGTH || !RESOURCE.matcher(resource).matches()) {
            throw new IllegalArgumentException(
                    "resource '" + shorten(resource) + "' is not a path-like name like 'db/prod/customers' (at most "
                            + MAX_LENGTH + " characters, no empty segments)");
        }
    }

    private static String shorten(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }
}
