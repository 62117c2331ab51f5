package io.countersign.tlog.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TilePathsTest {
    @Test
    void writesIndexesInZeroPaddedGroupsOfThree_asTheSpecsExampleDoes() {
        assertThat(TilePaths.formatIndex(0)).isEqualTo("000");
        assertThat(TilePaths.formatIndex(7)).isEqualTo("007");
        assertThat(TilePaths.formatIndex(999)).isEqualTo("999");
        assertThat(TilePaths.formatIndex(1000)).isEqualTo("x001/000");
        assertThat(TilePaths.formatIndex(1234067)).isEqualTo("x001/x234/067");
    }

    @Test
    void readsFullAndPartialTilesAndBundles() {
        assertThat(TilePaths.parseTile("0/x001/x234/067")).isEqualTo(new TileId(0, 1234067, 256));
        assertThat(TilePaths.parseTile("2/000.p/1")).isEqualTo(new TileId(2, 0, 1));
        assertThat(TilePaths.parseTile("63/005.p/255")).isEqualTo(new TileId(63, 5, 255));
        assertThat(TilePaths.parseBundle("x001/000.p/17")).isEqualTo(new BundleId(1000, 17));
        assertThat(new TileId(1, 1000, 112).path()).isEqualTo("tile/1/x001/000.p/112");
        assertThat(new BundleId(3, 256).path()).isEqualTo("tile/entries/003");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "0",
                "0/",
                "00/000",
                "01/000",
                "64/000",
                "-1/000",
                "0/0",
                "0/0000",
                "0/1234",
                "0/x000",
                "0/001/000",
                "0/x001/x02/000",
                "0/000.p/0",
                "0/000.p/256",
                "0/000.p/012",
                "0/000.p/",
                "0/000.p",
                "0/x000/001",
                "0/x001/abc",
                "0/000/",
                "a/000",
                "0/x999/x999/x999/x999/x999/x999/x999/999"
            })
    void refusesEveryNonCanonicalOrOutOfRangeSpelling(String path) {
        assertThatThrownBy(() -> TilePaths.parseTile(path)).isInstanceOf(MalformedTilePathException.class);
    }

    @Property
    void formatAndParseAreInverses(
            @ForAll @IntRange(min = 0, max = 63) int level,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long index,
            @ForAll @IntRange(min = 1, max = 256) int width) {
        TileId tile = new TileId(level, index, width);
        assertThat(TilePaths.parseTile(tile.path().substring("tile/".length()))).isEqualTo(tile);
        BundleId bundle = new BundleId(index, width);
        assertThat(TilePaths.parseBundle(bundle.path().substring("tile/entries/".length())))
                .isEqualTo(bundle);
    }
}
