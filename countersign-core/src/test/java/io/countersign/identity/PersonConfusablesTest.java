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
    void anUpperCaseNameWhereOneLetterLooksLikeItsOwnOnlyUnfolded_andAnotherOnlyFolded_isThePerson() {
        // AAƄAAAI: Ƅ reads as b only unfolded, I as i only folded (unfolded it reads as l), so
        // neither whole-spelling skeleton is aabaaai's. Found by ConfusableVariantsPropertyTest
        // (seed 8787745965298849130).
        Person aabaaai = new Person("aabaaai", "aabaaai@example.com");
        Person variant = new Person("AA\u0184AAAI", "");

        assertThat(variant.isConfusableWith(aabaaai)).isTrue();
        assertThat(aabaaai.isConfusableWith(variant)).isTrue();
        assertThat(OnBehalfOf.unresolved("AA\u0184AAAI").names(aabaaai)).isTrue();
        assertThat(OnBehalfOf.unresolved("mailto:AA\u0184AAAI@EXAMPLE.COM.").names(aabaaai))
                .isTrue();
    }

    @Test
    void readingACharacterAtATime_stillTellsDifferentNamesApart() {
        Person alice = new Person("alice", "");

        assertThat(new Person("alicia", "").isConfusableWith(alice)).isFalse();
        assertThat(new Person("alic", "").isConfusableWith(alice)).isFalse();
        assertThat(new Person("alicee", "").isConfusableWith(alice)).isFalse();
        assertThat(new Person("ALICE", "").isConfusableWith(alice)).isTrue();
        assertThat(new Person("AL\u0406CE", "").isConfusableWith(alice)).isTrue();
        assertThat(new Person("arn", "").isConfusableWith(new Person("AM", ""))).isTrue();
    }

    @Test
    void aPlainlyDifferentEmailIsNotConfusable() {
        assertThat(new Person("baa", "baa@example.com").isConfusableWith(new Person("bab", "bab@example.com")))
                .isFalse();
    }
}
