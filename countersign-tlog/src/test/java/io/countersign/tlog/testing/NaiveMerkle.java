package io.countersign.tlog.testing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * RFC 6962 §2.1 written as the spec's recursive definitions, independent of the production
 * code (its own SHA-256, no node storage): the reference the tests compare against. O(n) per
 * call; for trees of a few thousand leaves.
 */
public final class NaiveMerkle {
    private NaiveMerkle() {}

    public static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    public static byte[] leafHash(byte[] leaf) {
        return sha256(new byte[] {0}, leaf);
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        return sha256(new byte[] {1}, left, right);
    }

    /** {@code count} random leaf hashes from {@code seed}. */
    public static List<byte[]> randomLeafHashes(int count, long seed) {
        Random random = new Random(seed);
        List<byte[]> hashes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] leaf = new byte[1 + random.nextInt(40)];
            random.nextBytes(leaf);
            hashes.add(leafHash(leaf));
        }
        return hashes;
    }

    /** The largest power of two smaller than n (n > 1). */
    public static long split(long n) {
        return Long.highestOneBit(n - 1);
    }

    /** MTH(D[from:to]) over leaf hashes. */
    public static byte[] mth(List<byte[]> leafHashes, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return sha256();
        }
        if (n == 1) {
            return leafHashes.get(from);
        }
        int k = (int) split(n);
        return nodeHash(mth(leafHashes, from, from + k), mth(leafHashes, from + k, to));
    }

    public static byte[] mth(List<byte[]> leafHashes, int size) {
        return mth(leafHashes, 0, size);
    }

    /** PATH(m, D[from:to]), the audit path of leaf from + m. */
    public static List<byte[]> path(int m, List<byte[]> leafHashes, int from, int to) {
        int n = to - from;
        List<byte[]> out = new ArrayList<>();
        if (n == 1) {
            return out;
        }
        int k = (int) split(n);
        if (m < k) {
            out.addAll(path(m, leafHashes, from, from + k));
            out.add(mth(leafHashes, from + k, to));
        } else {
            out.addAll(path(m - k, leafHashes, from + k, to));
            out.add(mth(leafHashes, from, from + k));
        }
        return out;
    }

    /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
    public static List<byte[]> consistency(int m, List<byte[]> leafHashes, int n) {
        List<byte[]> out = new ArrayList<>();
        for (long[] range : consistencyRanges(m, n)) {
            out.add(mth(leafHashes, (int) range[0], (int) range[1]));
        }
        return out;
    }

    /** The leaf ranges [begin, end) of the elements of PROOF(m, D[n]), in proof order. */
    public static List<long[]> consistencyRanges(long m, long n) {
        List<long[]> out = new ArrayList<>();
        subproof(m, 0, n, true, out);
        return out;
    }

    private static void subproof(long m, long from, long to, boolean complete, List<long[]> out) {
        long n = to - from;
        if (m == n) {
            if (!complete) {
                out.add(new long[] {from, to});
            }
            return;
        }
        long k = split(n);
        if (m <= k) {
            subproof(m, from, from + k, complete, out);
            out.add(new long[] {from + k, to});
        } else {
            subproof(m - k, from + k, to, false, out);
            out.add(new long[] {from, from + k});
        }
    }

    /**
     * How PATH(m, D[n]) combines: for each element, bottom up, 'L' if it is the left operand
     * (a left sibling) and 'R' otherwise. The value an inclusion verifier computes depends on
     * nothing else, so two (index, size) pairs with equal sides accept the same proofs.
     */
    public static String inclusionSides(long m, long n) {
        if (n == 1) {
            return "";
        }
        long k = split(n);
        return m < k ? inclusionSides(m, k) + "R" : inclusionSides(m - k, n - k) + "L";
    }

    /**
     * The roots of the trees of m and n leaves as formulas over the elements {@code p0, p1,
     * ...} of PROOF(m, D[n]) and the old root {@code R1} (when the old tree is itself one
     * element of the new one, the verifier supplies it), e.g. {@code "(R1,(p0,p1))"}. The
     * values a consistency verifier computes depend on nothing else. Requires 0 < m < n.
     */
    public static String[] consistencyFormulas(long m, long n) {
        List<long[]> ranges = consistencyRanges(m, n);
        return new String[] {formula(0, m, ranges, m), formula(0, n, ranges, m)};
    }

    private static String formula(long from, long to, List<long[]> ranges, long m) {
        for (int i = 0; i < ranges.size(); i++) {
            if (ranges.get(i)[0] == from && ranges.get(i)[1] == to) {
                return "p" + i;
            }
        }
        if (from == 0 && to == m && Long.bitCount(m) == 1) {
            return "R1"; // SUBPROOF leaves out the old tree when it is a perfect subtree
        }
        if (to - from == 1) {
            throw new AssertionError("leaf " + from + " is covered by no proof element");
        }
        long k = split(to - from);
        return "(" + formula(from, from + k, ranges, m) + "," + formula(from + k, to, ranges, m) + ")";
    }
}
