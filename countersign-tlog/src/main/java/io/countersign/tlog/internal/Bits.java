package io.countersign.tlog.internal;

/** Bit arithmetic on tree sizes and indexes (always non-negative longs). */
public final class Bits {
    private Bits() {}

    /** The number of bits needed to write x: 0 for 0, 1 for 1, 3 for 5. */
    public static int bitLength(long x) {
        return 64 - Long.numberOfLeadingZeros(x);
    }
}
