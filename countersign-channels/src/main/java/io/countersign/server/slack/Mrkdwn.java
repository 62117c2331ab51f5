package io.countersign.server.slack;

import io.countersign.action.AgentText;

/**
 * Text in Slack's mrkdwn, measured as Slack measures it: after escaping. Slack counts a field's
 * characters in what it receives, so {@code &} (sent as {@code &amp;}) is five and {@code <} four; a
 * text cut to a length before escaping can come out several times longer. Every cut here happens
 * on the escaped text, never inside an entity or a surrogate pair, and ends in an ellipsis.
 */
final class Mrkdwn {
    static final String ELLIPSIS = "…";

    private Mrkdwn() {}

    /** Slack's mrkdwn control characters; what is left can't become a mention, a link or a command. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Agent text as plain mrkdwn: visible (newlines and invisible characters shown), escaped, at most {@code max}. */
    static String agent(String text, int max) {
        return cutEscaped(AgentText.visible(text), max, false);
    }

    /**
     * Agent text in a code span, at most {@code max} characters with the backticks: nothing in it
     * formats, and it can't be mistaken for the gateway's own words.
     */
    static String code(String text, int max) {
        return "`" + cutEscaped(AgentText.visible(text), max - 2, true) + "`";
    }

    /** Whether {@link #agent} (or {@link #code}, with two more) would cut the text at {@code max}. */
    static boolean wouldCut(String text, int max) {
        return escapedLength(AgentText.visible(text), false) > max;
    }

    /** Cuts ordinary gateway text (a rule name, a resolution) the same way, without making newlines visible. */
    static String plain(String text, int max) {
        return cutEscaped(text, max, false);
    }

    private static int escapedLength(String text, boolean inCode) {
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            length += piece(text.charAt(i), inCode).length();
        }
        return length;
    }

    private static String cutEscaped(String text, int max, boolean inCode) {
        if (max < 1) {
            throw new IllegalArgumentException("max is " + max + ", want at least 1");
        }
        boolean fits = escapedLength(text, inCode) <= max;
        int room = fits ? max : max - ELLIPSIS.length();
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 8);
        int i = 0;
        while (i < text.length()) {
            int point = text.codePointAt(i);
            int count = Character.charCount(point);
            String piece = count == 1 ? piece(text.charAt(i), inCode) : text.substring(i, i + count);
            if (out.length() + piece.length() > room) {
                break;
            }
            out.append(piece);
            i += count;
        }
        return fits ? out.toString() : out.append(ELLIPSIS).toString();
    }

    private static String piece(char c, boolean inCode) {
        return switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            // A backtick would end the code span early.
            case '`' -> inCode ? "'" : "`";
            default -> String.valueOf(c);
        };
    }
}
