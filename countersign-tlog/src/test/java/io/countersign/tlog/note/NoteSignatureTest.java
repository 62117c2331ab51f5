package io.countersign.tlog.note;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NoteSignatureTest {

    @Test
    void line_isEmDashSpaceNameSpaceBase64OfKeyIdAndSignature() {
        NoteSignature signature = new NoteSignature("log.example", 0x01020304, new byte[] {5, 6});
        assertThat(signature.line()).isEqualTo("\u2014 log.example AQIDBAUG");
    }

    @Test
    void parseLine_readsBackTheLine() {
        NoteSignature signature = new NoteSignature("log.example", 0xc74f20a3, new byte[64]);
        assertThat(NoteSignature.parseLineOrNull(signature.line())).isEqualTo(signature);
    }

    @Test
    void keyName_withASpaceOrPlus_isRefused() {
        assertThatThrownBy(() -> new NoteSignature("a b", 1, new byte[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NoteSignature("a+b", 1, new byte[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NoteSignature("a\u00a0b", 1, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NoteSignature("", 1, new byte[1])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signatureBytes_areCopied() {
        byte[] bytes = {1, 2, 3};
        NoteSignature signature = new NoteSignature("n", 1, bytes);
        bytes[0] = 9;
        signature.signature()[1] = 9;
        assertThat(signature.signature()).containsExactly(1, 2, 3);
    }
}
