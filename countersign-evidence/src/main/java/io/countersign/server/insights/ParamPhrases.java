package io.countersign.server.insights;

import io.countersign.workflow.ApprovalRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Words and two-word phrases in the top-level string parameters of one action's requests, kept
 * when every request whose parameter has the phrase as whole words (what the suggested rule's
 * {@link #regex} matches) was denied by a human, and there are enough of them. A phrase is at
 * least {@value #SHORTEST} characters: {@code rm} alone is too short to mean anything, {@code rm -rf}
 * is not. Words are runs of non-whitespace, so {@code rm} is never found in {@code terraform} or
 * {@code npm run format}.
 */
final class ParamPhrases {
    static final int SHORTEST = 4;
    // RE2's \\s; Java's also takes a vertical tab, so the class is spelled out for both to agree.
    private static final String SPACE = "[\\t\\n\\f\\r ]";
    private static final int LONGEST = 64;

    record Phrase(String param, String text, List<ApprovalRequest> requests) {}

    private final int minCount;

    ParamPhrases(int minCount) {
        this.minCount = minCount;
    }

    /** {@code requests} and {@code verdicts} are parallel lists of one action's evidence. */
    List<Phrase> denied(List<ApprovalRequest> requests, List<Verdict> verdicts) {
        if (verdicts.stream().filter(v -> v == Verdict.DENIED).count() < minCount) {
            return List.of();
        }
        // How many denied requests have the phrase as words of their own: a phrase that is only
        // ever part of longer words ("cache-1" in "cache-12") is not what the humans refused.
        Map<String, Map<String, Integer>> candidates = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            if (verdicts.get(i) == Verdict.DENIED) {
                requests.get(i).action().paramsView().properties().forEach(entry -> {
                    if (entry.getValue().isString()) {
                        Map<String, Integer> counts =
                                candidates.computeIfAbsent(entry.getKey(), key -> new java.util.TreeMap<>());
                        phrases(entry.getValue().stringValue())
                                .forEach(phrase -> counts.merge(phrase, 1, Integer::sum));
                    }
                });
            }
        }
        List<Phrase> found = new ArrayList<>();
        candidates.forEach((param, counts) -> {
            for (String text : counts.keySet()) {
                if (counts.get(text) < minCount) {
                    continue;
                }
                List<ApprovalRequest> containing = new ArrayList<>();
                boolean allDenied = true;
                for (int i = 0; i < requests.size() && allDenied; i++) {
                    JsonNode value = requests.get(i).action().paramsView().get(param);
                    if (value != null && value.isString() && hasWords(value.stringValue(), text)) {
                        containing.add(requests.get(i));
                        allDenied = verdicts.get(i) == Verdict.DENIED;
                    }
                }
                if (allDenied && containing.size() >= minCount) {
                    found.add(new Phrase(param, text, containing));
                }
            }
        });
        return maximal(found);
    }

    /** Phrases whose requests no other phrase covers more of; among equals, the longest text. */
    private static List<Phrase> maximal(List<Phrase> found) {
        List<Phrase> ordered = new ArrayList<>(found);
        ordered.sort(Comparator.comparingInt((Phrase p) -> -p.requests().size())
                .thenComparingInt(p -> -p.text().length())
                .thenComparing(Phrase::text));
        List<Phrase> kept = new ArrayList<>();
        for (Phrase phrase : ordered) {
            Set<String> ids = ids(phrase);
            boolean covered = kept.stream()
                    .anyMatch(other ->
                            other.param().equals(phrase.param()) && ids(other).containsAll(ids));
            if (!covered) {
                kept.add(phrase);
            }
        }
        return kept;
    }

    private static Set<String> ids(Phrase phrase) {
        Set<String> ids = new LinkedHashSet<>();
        phrase.requests().forEach(request -> ids.add(request.id().value()));
        return ids;
    }

    /**
     * The regular expression, in the syntax CEL's {@code matches} (RE2) and Java share, that finds
     * the phrase's words as whole words, with any whitespace between them.
     */
    static String regex(String phrase) {
        List<String> words = new ArrayList<>();
        for (String word : phrase.strip().split(SPACE + "+")) {
            StringBuilder quoted = new StringBuilder();
            word.codePoints().forEach(c -> {
                if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                    quoted.append('\\');
                }
                quoted.appendCodePoint(c);
            });
            words.add(quoted.toString());
        }
        return "(^|" + SPACE + ")" + String.join(SPACE + "+", words) + "(" + SPACE + "|$)";
    }

    static boolean hasWords(String text, String phrase) {
        return java.util.regex.Pattern.compile(regex(phrase)).matcher(text).find();
    }

    /** Single words and adjacent pairs, as they appear in the text (one space between the pair). */
    private static Set<String> phrases(String text) {
        String[] words = text.strip().split(SPACE + "+");
        Set<String> phrases = new LinkedHashSet<>();
        for (int i = 0; i < words.length; i++) {
            add(phrases, words[i], text);
            if (i + 1 < words.length) {
                add(phrases, words[i] + " " + words[i + 1], text);
            }
        }
        return phrases;
    }

    private static void add(Set<String> phrases, String phrase, String text) {
        if (phrase.length() >= SHORTEST
                && phrase.length() <= LONGEST
                && phrase.chars().noneMatch(Character::isISOControl)) {
            phrases.add(phrase);
        }
    }
}
