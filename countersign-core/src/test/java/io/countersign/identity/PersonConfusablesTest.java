package io.countersign.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PersonConfusablesTest {
    @Test
    void anUpperCaseEmailWhoseFirstLetterLooksLikeBOnlyUnfolded_isConfusableWithThePerson() {
        // U+0184 (LATIN CAPITAL LETTER TONE SIX) looks like "b"; its lower case does not. Found by
        // ConfusableVariantsPropertyTest: the skeleton of the unfolded spelling met none of baa's keys.
        Person baa = new Person("baa", "baa@example.com");
        Person variant = new Person("\u0184AA@EXAMPLE.COM", "");

        assertThat(variant.isConfusableWith(baa)).isTrue();
        assertThat(baa.isConfusableWith(variant)).isTrue();
    }

    @Test
    void aPlainlyDifferentEmailIsNotConfusable() {
        assertThat(new Person("baa", "baa@example.com").isConfusableWith(new Person("bab", "bab@example.com")))
                .isFalse();
    }
}
