package io.countersign.tlog.tiles;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.tlog.testing.NaiveMerkle;
import io.countersign.tlog.tree.InMemoryHashStore;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TileReaderTest {
    private static final int SIZE = 70_000;
    private static final List<byte[]> LEAVES = NaiveMerkle.randomLeafHashes(SIZE, 20);

    private static InMemoryHashStore store() {
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(LEAVES);
        return store;
    }

    @Test
    void aTreeOf70000_hasTheTilesTheSpecLists() {
        // The spec: 273 full level-0 tiles, a partial one of width 112, one full level-1 tile, a
        // partial one of width 17 and a partial level-2 tile of width 1.
        assertThat(new TileId(0, 272, 256).isCompleteIn(SIZE)).isTrue();
        assertThat(new TileId(0, 273, 256).isCompleteIn(SIZE)).isFalse();
        assertThat(new TileId(0, 273, 112).isCompleteIn(SIZE)).isTrue();
        assertThat(new TileId(0, 273, 113).isCompleteIn(SIZE)).isFalse();
        assertThat(new TileId(1, 0, 256).isCompleteIn(SIZE)).isTrue();
        assertThat(new TileId(1, 1, 17).isCompleteIn(SIZE)).isTrue();
        assertThat(new TileId(1, 1, 18).isCompleteIn(SIZE)).isFalse();
        assertThat(new TileId(2, 0, 1).isCompleteIn(SIZE)).isTrue();
        assertThat(new TileId(2, 0, 2).isCompleteIn(SIZE)).isFalse();
        assertThat(new TileId(3, 0, 1).isCompleteIn(SIZE)).isFalse();
        assertThat(new TileId(8, 0, 1).isCompleteIn(Long.MAX_VALUE)).isFalse();
        assertThat(new TileId(7, 0, 127).isCompleteIn(Long.MAX_VALUE)).isTrue();
    }

    @Test
    void levelZeroTilesAreTheLeafHashes_andHigherTilesTheRootsOfFullTilesBelow() {
        TileReader tiles = new TileReader(store());
        byte[] leafTile = tiles.read(new TileId(0, 273, 112), SIZE).orElseThrow();
        assertThat(leafTile).hasSize(112 * 32);
        for (int i = 0; i < 112; i++) {
            assertThat(Arrays.copyOfRange(leafTile, i * 32, i * 32 + 32)).isEqualTo(LEAVES.get(273 * 256 + i));
        }
        byte[] levelOne = tiles.read(new TileId(1, 1, 17), SIZE).orElseThrow();
        for (int i = 0; i < 17; i++) {
            int firstLeaf = (256 + i) * 256;
            assertThat(Arrays.copyOfRange(levelOne, i * 32, i * 32 + 32))
                    .isEqualTo(NaiveMerkle.mth(LEAVES, firstLeaf, firstLeaf + 256));
        }
        byte[] levelTwo = tiles.read(new TileId(2, 0, 1), SIZE).orElseThrow();
        assertThat(levelTwo).isEqualTo(NaiveMerkle.mth(LEAVES, 0, 65_536));
    }

    @Test
    void aTileTheTreeDoesNotHaveYet_isEmpty_evenWhenStorageIsAhead() {
        TileReader tiles = new TileReader(store());
        assertThat(tiles.read(new TileId(0, 273, 112), 273 * 256 + 111)).isEmpty();
        assertThat(tiles.read(new TileId(0, 0, 256), 255)).isEmpty();
        assertThat(tiles.read(new TileId(0, 0, 1), 0)).isEmpty();
    }
}
