package io.countersign.tlog.note;

/**
 * The published example of golang.org/x/mod/sumdb/note (package documentation and
 * note_test.go): Peter Neumann's key pair and signed note, and the same note cosigned by a
 * key ("EnochRoot") whose verifier key is not published.
 */
final class GoNoteVectors {
    static final String VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    static final String PRIVATE_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    static final String TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    static final String PETER_SIGNATURE =
            "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    static final String ENOCH_SIGNATURE =
            "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";
    static final String NOTE = TEXT + "\n" + PETER_SIGNATURE;
    static final String DOUBLY_SIGNED_NOTE = TEXT + "\n" + PETER_SIGNATURE + ENOCH_SIGNATURE;

    private GoNoteVectors() {}
}
