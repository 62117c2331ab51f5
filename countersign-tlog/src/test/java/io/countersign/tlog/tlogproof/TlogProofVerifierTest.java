package io.countersign.tlog.tlogproof;

import static io.countersign.tlog.tlogproof.TlogProofTest.LOG;
import static io.countersign.tlog.tlogproof.TlogProofTest.entry;
import static io.countersign.tlog.tlogproof.TlogProofTest.proofFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.note.UnverifiedNoteException;
import io.countersign.tlog.proof.MalformedProofException;
import io.countersign.tlog.proof.RootMismatchException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TlogProofVerifierTest {

    @Test
    void proofOfEveryEntry_verifiesWithTheEntryAndTheLogKey() throws TlogException {
        for (int index = 0; index < 13; index++) {
            String text = proofFor(index, 13).format();
            Checkpoint checkpoint = TlogProofVerifier.verify(text, entry(index), LOG.verifier());
            assertThat(checkpoint.size()).isEqualTo(13);
            assertThat(checkpoint.origin()).isEqualTo("countersign.example/audit");
        }
    }

    @Test
    void proof_withAnotherEntry_isARootMismatch() {
        TlogProof proof = proofFor(5, 13);
        assertThatThrownBy(() -> TlogProofVerifier.verify(proof, entry(6), LOG.verifier()))
                .isInstanceOf(RootMismatchException.class);
    }

    @Test
    void proof_withAChangedHash_isARootMismatch() {
        TlogProof proof = proofFor(5, 13);
        List<byte[]> hashes = new ArrayList<>(proof.hashes());
        hashes.get(1)[7] ^= 0x10;
        TlogProof tampered = new TlogProof(proof.index(), hashes, Optional.empty(), proof.checkpoint());

        assertThatThrownBy(() -> TlogProofVerifier.verify(tampered, entry(5), LOG.verifier()))
                .isInstanceOf(RootMismatchException.class);
    }

    @Test
    void proof_claimingAnotherIndex_isRejected() {
        TlogProof proof = proofFor(5, 13);
        TlogProof moved = new TlogProof(4, proof.hashes(), Optional.empty(), proof.checkpoint());

        assertThatThrownBy(() -> TlogProofVerifier.verify(moved, entry(5), LOG.verifier()))
                .isInstanceOf(RootMismatchException.class);
    }

    @Test
    void proof_withAnIndexBeyondTheCheckpoint_isMalformed() {
        TlogProof proof = proofFor(5, 13);
        TlogProof beyond = new TlogProof(13, proof.hashes(), Optional.empty(), proof.checkpoint());

        assertThatThrownBy(() -> TlogProofVerifier.verify(beyond, entry(5), LOG.verifier()))
                .isInstanceOf(MalformedProofException.class)
                .hasMessage("index 13 is out of range for tree size 13");
    }

    @Test
    void proof_checkedAgainstAnotherLogKey_isUnverified() {
        NoteSigner otherLog = NoteSigner.generate("countersign.example/audit");
        assertThatThrownBy(() -> TlogProofVerifier.verify(proofFor(5, 13), entry(5), otherLog.verifier()))
                .isInstanceOf(UnverifiedNoteException.class);
    }
}
