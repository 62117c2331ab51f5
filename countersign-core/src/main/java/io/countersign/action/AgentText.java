package io.countersign.action;

import static java.util.Objects.requireNonNull;

/**
 * Text an agent wrote (a reason, a param, an {@code onBehalfOf}), made visible for what it is
 * before any channel shows it: a newline becomes {@value #NEWLINE} so the text can't start a line
 * that looks like the gateway's own (a forged "Approved by" status line), and every control,
 * format, bidirectional, separator, private-use or lone-surrogate character becomes an escape
 * (backslash, "u", four hex digits; or "u{...}" beyond the BMP), so "al" U+200B "ice" can't pass
 * for "alice" and a right-to-left override (U+202E) can't turn "invoice" U+202E "gpj.exe" into
 * "invoiceexe.jpg". Slack, Teams and the console all show agent text through this one function;
 * each then applies its own escaping (mrkdwn, markdown, HTML) to the result.
 */
public final class AgentText {
    /** U+2424 SYMBOL FOR NEWLINE: shows where the agent broke a line without breaking it. */
    public static final String NEWLINE = "\u2424";

    private AgentText() {}

    public static String visible(String text) {
        requireNonNull(text, "text is null");
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int point = text.codePointAt(i);
            i += Character.charCount(point);
            if (point == '\n') {
                out.append(NEWLINE);
            } else if (hidden(point)) {
                out.append(escape(point));
            } else {
                out.append(Character.toChars(point));
            }
        }
        return out.toString();
    }

    /** Whether the character shows nothing, or changes how its neighbours show, rather than being itself seen. */
    static boolean hidden(int point) {
        return switch (Character.getType(point)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR,
                    Character.PRIVATE_USE,
                    Character.SURROGATE,
                    Character.UNASSIGNED -> true;
            // Combining marks and spaces other than U+0020 can also hide or disguise; the few that
            // matter for confusable names (variation selectors, the Hangul filler) are named here.
            default -> isInvisibleFiller(point);
        };
    }

    private static boolean isInvisibleFiller(int point) {
        return (point >= 0xFE00 && point <= 0xFE0F) // variation selectors
                || (point >= 0xE0100 && point <= 0xE01EF) // variation selectors supplement
                || point == 0x115F
                || point == 0x1160
                || point == 0x3164
                || point == 0xFFA0 // Hangul fillers
                || point == 0x034F // combining grapheme joiner
                || (point != ' ' && Character.getType(point) == Character.SPACE_SEPARATOR);
    }

    private static String escape(int point) {
        String hex = Integer.toHexString(point).toUpperCase(java.util.Locale.ROOT);
        return point <= 0xFFFF ? "\\u" + "0".repeat(4 - hex.length()) + hex : "\\u{" + hex + "}";
    }
}
