package io.countersign.server.teams;

import io.countersign.action.AgentText;

/**
 * Text for an Adaptive Card as Teams shows it. A TextBlock and a FactSet render markdown, so a
 * value there is escaped (an action {@code ops.__all__} must not render "all" in bold, a name in
 * brackets must not become a link); text runs render none. Agent text is made visible first
 * ({@link AgentText}) and cut, with the console for the rest.
 */
final class TeamsText {
    /**
     * The characters Adaptive Cards' markdown acts on anywhere in a line: emphasis, code, links; and
     * {@code &}, or an agent's {@code &lt;b&gt;} would show as {@code <b>} (markdown decodes entities).
     */
    private static final String INLINE = "\\`*_[]()<>|~&";
    /** And at the start of a line only: lists and headings (agent text has no line breaks left). */
    private static final String LINE_START = "-+#>";

    private TeamsText() {}

    /** For a TextBlock or a FactSet: visible, cut, and every markdown character backslash-escaped. */
    static String markdown(String text, int max) {
        String visible = cut(AgentText.visible(text), max);
        StringBuilder out = new StringBuilder(visible.length() + 16);
        for (int i = 0; i < visible.length(); i++) {
            char c = visible.charAt(i);
            if (INLINE.indexOf(c) >= 0 || (i == 0 && LINE_START.indexOf(c) >= 0) || orderedListMark(visible, i)) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** "1." at the start would make an ordered list: escape its dot. */
    private static boolean orderedListMark(String text, int i) {
        if (text.charAt(i) != '.' || i == 0) {
            return false;
        }
        for (int j = 0; j < i; j++) {
            if (!Character.isDigit(text.charAt(j))) {
                return false;
            }
        }
        return true;
    }

    /** For a text run: visible and cut, nothing escaped (a run renders no markdown). */
    static String run(String text, int max) {
        return cut(AgentText.visible(text), max);
    }

    static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "… (cut; " + text.length() + " characters in all, see the console)";
    }
}
