package io.countersign.canonical;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The integer fast path of {@link CanonicalJson#number} writes what the general ECMAScript layout writes. */
class CanonicalNumberPropertyTest {
    @Property
    void anIntegerUpTo2To53IsWrittenAsTheGeneralLayoutWritesIt(
            @ForAll @LongRange(min = -9_007_199_254_740_992L, max = 9_007_199_254_740_992L) long integer) {
        double value = integer;
        if (value != 0) {
            assertThat(CanonicalJson.number(value)).isEqualTo(CanonicalJson.viaDecimal(value));
        }
    }

    @Property
    void anIntegerBeyond2To53KeepsTheGeneralLayout(@ForAll double value) {
        if (Double.isFinite(value) && value != 0) {
            assertThat(CanonicalJson.number(value)).isEqualTo(CanonicalJson.viaDecimal(value));
        }
    }
}
