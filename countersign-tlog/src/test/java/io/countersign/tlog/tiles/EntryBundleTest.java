package io.countersign.tlog.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryBundleTest {
    @Test
    void prefixesEachEntryWithItsLengthAsABigEndianUint16() {
        byte[] bundle = EntryBundle.encode(
                new BundleId(0, 3), List.of("a".getBytes(StandardCharsets.UTF_8), new byte[0], new byte[300]));
        assertThat(bundle).hasSize(2 + 1 + 2 + 2 + 300);
        assertThat(bundle[0]).isEqualTo((byte) 0);
        assertThat(bundle[1]).isEqualTo((byte) 1);
        assertThat(bundle[2]).isEqualTo((byte) 'a');
        assertThat(bundle[3]).isEqualTo((byte) 0);
        assertThat(bundle[4]).isEqualTo((byte) 0);
        assertThat(bundle[5]).isEqualTo((byte) 0x01);
        assertThat(bundle[6]).isEqualTo((byte) 0x2c);
    }

    @Test
    void carriesAnEntryOfExactly65535Bytes() {
        byte[] bundle = EntryBundle.encode(new BundleId(0, 1), List.of(new byte[65_535]));
        assertThat(bundle).hasSize(65_537);
        assertThat(bundle[0]).isEqualTo((byte) 0xff);
        assertThat(bundle[1]).isEqualTo((byte) 0xff);
    }

    @Test
    void refusesAnEntryOver65535Bytes_namingItsIndexAndLength() {
        assertThatThrownBy(() -> EntryBundle.encode(new BundleId(2, 2), List.of(new byte[1], new byte[65_536])))
                .isInstanceOfSatisfying(EntryTooLargeException.class, e -> {
                    assertThat(e.entryIndex()).isEqualTo(513);
                    assertThat(e.length()).isEqualTo(65_536);
                })
                .hasMessageContaining("entry 513 is 65536 bytes");
    }

    @Test
    void refusesAListThatIsNotTheBundlesWidth() {
        assertThatThrownBy(() -> EntryBundle.encode(new BundleId(0, 2), List.of(new byte[1])))
                .hasMessageContaining("has 2 entries, got 1");
    }
}
