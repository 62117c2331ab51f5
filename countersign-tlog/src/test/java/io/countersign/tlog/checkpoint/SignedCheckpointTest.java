package io.countersign.tlog.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.tlog.note.InvalidSignatureException;
import io.countersign.tlog.note.Note;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.note.UnverifiedNoteException;
import io.countersign.tlog.tree.TreeHasher;
import org.junit.jupiter.api.Test;

class SignedCheckpointTest {
    private static final NoteSigner LOG = NoteSigner.generate("countersign.example/audit");
    private static final Checkpoint CHECKPOINT =
            new Checkpoint("countersign.example/audit", 3, TreeHasher.leafHash(new byte[] {1}));

    @Test
    void signedCheckpoint_opensWithTheLogKey() throws Exception {
        String message = SignedCheckpoint.sign(CHECKPOINT, LOG).format();

        assertThat(message).startsWith(CHECKPOINT.format() + "\n\u2014 countersign.example/audit ");
        assertThat(SignedCheckpoint.open(message, LOG.verifier())).isEqualTo(CHECKPOINT);
    }

    @Test
    void witnessCosignatures_areIgnored() throws Exception {
        NoteSigner witness = NoteSigner.generate("witness.example");
        String message = Note.sign(CHECKPOINT.format(), witness, LOG).format();

        assertThat(SignedCheckpoint.open(message, LOG.verifier())).isEqualTo(CHECKPOINT);
    }

    @Test
    void checkpointSignedOnlyByAnotherKey_isUnverified() {
        String message = Note.sign(CHECKPOINT.format(), NoteSigner.generate("countersign.example/audit"))
                .format();

        assertThatThrownBy(() -> SignedCheckpoint.open(message, LOG.verifier()))
                .isInstanceOf(UnverifiedNoteException.class);
    }

    @Test
    void alteredTreeSize_isAnInvalidSignature() {
        String message = SignedCheckpoint.sign(CHECKPOINT, LOG).format().replaceFirst("\n3\n", "\n4\n");

        assertThatThrownBy(() -> SignedCheckpoint.open(message, LOG.verifier()))
                .isInstanceOf(InvalidSignatureException.class);
    }

    @Test
    void checkpointOfAnotherOrigin_signedByTheLogKey_isRefused() {
        Checkpoint other = new Checkpoint("other.example/log", 3, TreeHasher.leafHash(new byte[] {1}));
        String message = Note.sign(other.format(), LOG).format();

        assertThatThrownBy(() -> SignedCheckpoint.open(message, LOG.verifier()))
                .isInstanceOf(OriginMismatchException.class)
                .hasMessage("checkpoint origin is 'other.example/log', want 'countersign.example/audit'");
    }

    @Test
    void signing_withAKeyNotNamedLikeTheOrigin_isRefused() {
        assertThatThrownBy(() -> SignedCheckpoint.sign(CHECKPOINT, NoteSigner.generate("someone.else")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("log key is named 'someone.else' but the checkpoint origin is 'countersign.example/audit'");
    }

    @Test
    void signedNoteWhoseTextIsNoCheckpoint_isMalformed() {
        String message = Note.sign("just a note\n", LOG).format();

        assertThatThrownBy(() -> SignedCheckpoint.open(message, LOG.verifier()))
                .isInstanceOf(MalformedCheckpointException.class)
                .hasMessage("checkpoint has 1 line, want at least 3");
    }
}
