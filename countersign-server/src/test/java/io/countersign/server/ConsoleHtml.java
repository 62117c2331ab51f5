package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading the console's pages as a person does in tests over plain HTTP: parts of the markup, and their text. */
final class ConsoleHtml {
    private ConsoleHtml() {}

    /** The markup from {@code start} to the first {@code end} after it. */
    static String between(String html, String start, String end) {
        int from = html.indexOf(start);
        assertThat(from).as("%s in %s", start, html).isNotNegative();
        int to = html.indexOf(end, from);
        assertThat(to).as("%s after %s", end, start).isPositive();
        return html.substring(from, to + end.length());
    }

    /** The inside of the {@code tag} element with that id. */
    static String element(String html, String tag, String id) {
        Matcher matcher = Pattern.compile(
                        "<" + tag + "[^>]*\\bid=\"" + Pattern.quote(id) + "\"[^>]*>(.*?)</" + tag + ">", Pattern.DOTALL)
                .matcher(html);
        assertThat(matcher.find()).as("<%s id=%s> in %s", tag, id, html).isTrue();
        return matcher.group(1);
    }

    /** The text of each list item. */
    static List<String> items(String html) {
        List<String> items = new ArrayList<>();
        Matcher matcher = Pattern.compile("<li>(.*?)</li>", Pattern.DOTALL).matcher(html);
        while (matcher.find()) {
            items.add(text(matcher.group(1)).strip());
        }
        return items;
    }

    /** Markup without its tags, entities decoded, as a reader sees it. */
    static String text(String html) {
        return html.replaceAll("<[^>]+>", "")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&#34;", "\"")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&#x27;", "'")
                .replace("&amp;", "&")
                .strip();
    }
}
