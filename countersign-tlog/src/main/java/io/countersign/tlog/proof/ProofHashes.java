package io.countersign.tlog.proof;

import io.countersign.tlog.internal.Encoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Copying and comparing the hash lists of proof records, which hold mutable arrays. */
final class ProofHashes {
    private ProofHashes() {}

    static List<byte[]> copy(List<byte[]> hashes) {
        List<byte[]> copy = new ArrayList<>(hashes.size());
        for (byte[] hash : hashes) {
            copy.add(Objects.requireNonNull(hash, "proof hash is null").clone());
        }
        return java.util.Collections.unmodifiableList(copy);
    }

    static boolean equal(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    static int hash(List<byte[]> hashes) {
        int h = 1;
        for (byte[] hash : hashes) {
            h = 31 * h + Arrays.hashCode(hash);
        }
        return h;
    }

    static String toString(List<byte[]> hashes) {
        List<String> encoded = new ArrayList<>(hashes.size());
        for (byte[] hash : hashes) {
            encoded.add(Encoding.base64(hash));
        }
        return encoded.toString();
    }
}
