package io.countersign.identity;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * The 27 spellings of alice from the separation-of-duties issue, as test vectors
 * ({@code identity/onbehalfof-spellings.tsv}), for every module that tests a vote path.
 */
public final class ConfusableSpellings {
    /** The human every spelling is of. */
    public static final Human ALICE = new Human("alice", "alice@example.com", java.util.Set.of("approvers"));

    public enum RefusedAt {
        SUBMISSION,
        VOTE
    }

    public record Spelling(String description, String value, RefusedAt refusedAt) {
        @Override
        public String toString() {
            return description;
        }
    }

    private ConfusableSpellings() {}

    public static List<Spelling> all() {
        try (InputStream in = Objects.requireNonNull(
                ConfusableSpellings.class.getResourceAsStream("/identity/onbehalfof-spellings.tsv"))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(line -> !line.startsWith("#") && !line.isEmpty())
                    .map(line -> line.split("\t", -1))
                    .map(cells -> new Spelling(
                            cells[0],
                            unescape(cells[1]),
                            RefusedAt.valueOf(cells[2].toUpperCase(java.util.Locale.ROOT))))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String unescape(String escaped) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char kind = escaped.charAt(++i);
            switch (kind) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'u' -> {
                    out.append((char) Integer.parseInt(escaped.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + kind + " in " + escaped);
            }
        }
        return out.toString();
    }
}
