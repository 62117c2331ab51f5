package io.countersign.server.evidence;

import static java.util.Objects.requireNonNull;

/**
 * What a package says about the log it cites: the signed checkpoint's origin, size and root, the
 * verifier key, the contiguous range of entries {@code [first, end)} it holds in full, and how
 * many entries it cites in all (the range plus the entries just outside it and the policy loads
 * before it).
 */
record LogHead(String origin, long size, String root, String key, long first, long end, int cited) {
    LogHead {
        requireNonNull(origin, "origin is null");
        requireNonNull(root, "root is null");
        requireNonNull(key, "key is null");
        if (first < 0 || first > end || end > size) {
            throw new IllegalArgumentException(
                    "range [" + first + ", " + end + ") is not within a log of " + size + " entries");
        }
    }
}
