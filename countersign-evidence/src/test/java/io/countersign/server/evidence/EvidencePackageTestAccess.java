package io.countersign.server.evidence;

/** Lets tests in other packages hash a file the way the manifest does. */
public final class EvidencePackageTestAccess {
    private EvidencePackageTestAccess() {}

    public static String sha256(byte[] bytes) {
        return EvidencePackage.sha256(bytes);
    }
}
