package io.countersign.proxy.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Words as /bin/sh would split them; each row: the command line, then the words joined by '|'. */
class ShellWordsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '!',
            quoteCharacter = '`',
            value = {
                "systemctl restart api!systemctl|restart|api",
                "  echo   a\tb  !echo|a|b",
                "echo 'a b' \"c d\"!echo|a b|c d",
                "echo \"a \\\"q\\\" \\$HOME $HOME\"!echo|a \"q\" $HOME $HOME",
                "echo 'it''s'!echo|its",
                "echo a\\ b!echo|a b",
                "ls; rm -rf /!ls|;|rm|-rf|/",
                "a&&b;c&d!a|&&|b|;|c|&|d",
                "cat <in >>out!cat|<|in|>>|out",
                "echo x # comment!echo|x",
                "echo a#b!echo|a#b",
                "echo ''!echo|",
                "(cd /tmp)!(|cd|/tmp|)"
            })
    void splitsAsAPosixShellWould(String line, String words) {
        List<String> expected = List.of(words.split("\\|", -1));
        if (words.equals("echo|")) {
            expected = List.of("echo", "");
        }
        assertThat(ShellWords.split(line)).contains(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '!',
            quoteCharacter = '`',
            value = {"echo 'open", "echo \"open", "echo \"a\\\""})
    void refusesALineWithAnOpenQuote(String line) {
        assertThat(ShellWords.split(line)).isEmpty();
    }
}
