package io.countersign.tlog.note;

import io.countersign.tlog.internal.Encoding;

/**
 * A signature line names a known key (name and key id both match) but its signature does not
 * verify: the note was altered or forged. The whole note is rejected, even if another known
 * key's signature verifies.
 */
public final class InvalidSignatureException extends NoteException {
    private final String keyName;
    private final int keyId;

    public InvalidSignatureException(String keyName, int keyId) {
        super("invalid signature for key " + keyName + "+" + Encoding.keyIdHex(keyId));
        this.keyName = keyName;
        this.keyId = keyId;
    }

    public String keyName() {
        return keyName;
    }

    public int keyId() {
        return keyId;
    }
}
