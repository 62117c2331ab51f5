package io.countersign.proxy.ssh;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits a command line into words as a POSIX shell's tokenizer would (XCU 2.3, 2.2 quoting):
 * blanks separate words; single quotes keep everything literally; double quotes keep everything
 * but {@code \"}, {@code \\}, {@code \$}, {@code \`} and a backslash-newline; an unquoted
 * backslash quotes the next character; an unquoted {@code #} at a word's start begins a comment.
 * Operators ({@code ; & | < > ( )} and their doubled forms) are words of their own, so a policy
 * sees {@code ;} in {@code argv} and can refuse a command that chains another. Expansions are not
 * performed ({@code $HOME} stays {@code $HOME}): the upstream shell does that, the policy sees the text.
 */
final class ShellWords {
    private static final String OPERATOR_CHARS = ";&|<>()";

    private ShellWords() {}

    /** The words of {@code line}; empty when a quote is left open (the shell would refuse it too). */
    static Optional<List<String>> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == '\\') {
                if (i + 1 >= n) {
                    word.append(c); // a trailing backslash is kept literally
                    inWord = true;
                    i++;
                } else if (line.charAt(i + 1) == '\n') {
                    i += 2; // line continuation
                } else {
                    word.append(line.charAt(i + 1));
                    inWord = true;
                    i += 2;
                }
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    return Optional.empty();
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i = doubleQuoted(line, i + 1, word);
                if (i < 0) {
                    return Optional.empty();
                }
                inWord = true;
            } else if (c == ' ' || c == '\t' || c == '\n') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '#' && !inWord) {
                int end = line.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (OPERATOR_CHARS.indexOf(c) >= 0) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                boolean doubled = i + 1 < n && line.charAt(i + 1) == c && "&|;<>".indexOf(c) >= 0;
                words.add(doubled ? line.substring(i, i + 2) : String.valueOf(c));
                i += doubled ? 2 : 1;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return Optional.of(List.copyOf(words));
    }

    /** Appends the double-quoted text starting at {@code from}; the index after the closing quote, or -1 when unclosed. */
    private static int doubleQuoted(String line, int from, StringBuilder word) {
        int i = from;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < line.length() && "\"\\$`\n".indexOf(line.charAt(i + 1)) >= 0) {
                if (line.charAt(i + 1) != '\n') {
                    word.append(line.charAt(i + 1));
                }
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        return -1;
    }
}
