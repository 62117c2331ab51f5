package io.countersign.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PersonNameTest {
    @Test
    void normalisesAnEmailWithNfkcAndCaseFolding() {
        PersonName name = PersonName.parse("\uff21lice@Example.COM");
        assertThat(name.kind()).isEqualTo(PersonName.Kind.EMAIL);
        assertThat(name.normalised()).isEqualTo("alice@example.com");
        assertThat(name.isConfusableWith(PersonName.parse("alice@example.com"))).isTrue();
    }

    @Test
    void acceptsPlainNamesWithSingleSpacesAndOneScript() {
        assertThat(PersonName.parse("Alice Smith").kind()).isEqualTo(PersonName.Kind.NAME);
        assertThat(PersonName.parse("José").normalised()).isEqualTo("josé");
        assertThat(PersonName.parse("Дмитрий").kind()).isEqualTo(PersonName.Kind.NAME);
        assertThat(PersonName.parse("山田@example.jp").kind()).isEqualTo(PersonName.Kind.EMAIL);
    }

    @Test
    void refusesWhitespaceAtTheEdgesInsteadOfTrimmingIt() {
        assertThatThrownBy(() -> PersonName.parse(" alice")).hasMessageContaining("leading or trailing whitespace");
        assertThatThrownBy(() -> PersonName.parse("alice\u00a0"))
                .hasMessageContaining("leading or trailing whitespace");
    }

    @Test
    void refusesInvisibleCharactersNamingThem() {
        assertThatThrownBy(() -> PersonName.parse("al\u200bice"))
                .hasMessageContaining("U+200B")
                .hasMessageContaining("ZERO WIDTH SPACE");
        assertThatThrownBy(() -> PersonName.parse("al\ud800ice")).isInstanceOf(PersonName.Invalid.class);
    }

    @Test
    void refusesMixedScriptsNamingThem() {
        assertThatThrownBy(() -> PersonName.parse("\u0430lice@example.com"))
                .hasMessageContaining("Cyrillic")
                .hasMessageContaining("Latin");
    }

    @Test
    void refusesDisplayNamePrefixedAndTrailingDotForms() {
        assertThatThrownBy(() -> PersonName.parse("Alice <alice@example.com>")).hasMessageContaining("display-name");
        assertThatThrownBy(() -> PersonName.parse("mailto:alice@example.com")).hasMessageContaining("'mailto:'");
        assertThatThrownBy(() -> PersonName.parse("alice@example.com.")).hasMessageContaining("trailing");
        assertThatThrownBy(() -> PersonName.parse("alice@@example.com")).hasMessageContaining("more than one '@'");
    }

    @Test
    void confusableSpellingsShareASkeletonAndDifferentNamesDoNot() {
        assertThat(new Person("alice", "").isConfusableWith(new Person("a\u0406ice", "")))
                .as("capital I for l")
                .isTrue();
        assertThat(new Person("alice", "").isConfusableWith(new Person("aIice", "")))
                .as("Latin capital I for l")
                .isTrue();
        assertThat(new Person("alice", "").isConfusableWith(new Person("a1ice", "")))
                .isTrue();
        assertThat(new Person("alice", "alice@example.com").isConfusableWith(new Person("bob", "bob@example.com")))
                .isFalse();
        assertThat(new Person("\uff42ob", "").id()).isEqualTo(new Person("bob", "").id());
        assertThat(new Person("robert", "BOB@example.com").id()).isEqualTo(new Person("bob", "bob@example.com").id());
    }
}
