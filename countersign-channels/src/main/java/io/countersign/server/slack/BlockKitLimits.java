package io.countersign.server.slack;

import com.slack.api.model.block.ActionsBlock;
import com.slack.api.model.block.ContextBlock;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.BlockElement;
import com.slack.api.model.block.element.ButtonElement;
import java.util.ArrayList;
import java.util.List;

/**
 * Block Kit's documented limits on what Countersign sends, checked before a message leaves so that
 * one Slack would refuse ({@code invalid_blocks}, {@code msg_too_long}) is never sent: the
 * {@link ApprovalMessage#minimal minimal message} goes instead. The figures are Slack's, from the
 * Block Kit reference (https://api.slack.com/reference/block-kit/blocks, /composition-objects,
 * /block-elements) and chat.postMessage (https://api.slack.com/methods/chat.postMessage).
 */
final class BlockKitLimits {
    /** "You can include up to 50 blocks in each message." */
    static final int BLOCKS = 50;
    /** Section {@code text}: "Maximum length for the text in this field is 3000 characters." */
    static final int SECTION_TEXT = 3000;
    /** Section {@code fields}: "Maximum number of items is 10. Maximum length for the text in each item is 2000 characters." */
    static final int FIELDS = 10;

    static final int FIELD_TEXT = 2000;
    /** Context {@code elements}: "Maximum number of items is 10." (each a text object, at most 3000 characters). */
    static final int CONTEXT_ELEMENTS = 10;
    /** Button {@code text} 75, {@code value} 2000, {@code url} 3000; {@code action_id} and {@code block_id} 255. */
    static final int BUTTON_TEXT = 75;

    static final int BUTTON_VALUE = 2000;
    static final int BUTTON_URL = 3000;
    static final int ID = 255;
    /** chat.postMessage {@code text}: longer is truncated at 40,000 characters; we keep it far shorter. */
    static final int MESSAGE_TEXT = 40_000;

    private BlockKitLimits() {}

    /** What in {@code blocks} and {@code text} breaks a limit, as Slack's {@code errors} would list it; empty if none. */
    static List<String> violations(String text, List<LayoutBlock> blocks) {
        List<String> found = new ArrayList<>();
        if (text.length() > MESSAGE_TEXT) {
            found.add("text has " + text.length() + " characters, at most " + MESSAGE_TEXT);
        }
        if (blocks.size() > BLOCKS) {
            found.add(blocks.size() + " blocks, at most " + BLOCKS);
        }
        for (int i = 0; i < blocks.size(); i++) {
            String at = "/blocks/" + i;
            switch (blocks.get(i)) {
                case SectionBlock section -> {
                    check(found, at + "/text", section.getText(), SECTION_TEXT);
                    List<TextObject> fields = section.getFields() == null ? List.of() : section.getFields();
                    if (fields.size() > FIELDS) {
                        found.add(at + "/fields has " + fields.size() + " items, at most " + FIELDS);
                    }
                    for (int f = 0; f < fields.size(); f++) {
                        check(found, at + "/fields/" + f, fields.get(f), FIELD_TEXT);
                    }
                }
                case ContextBlock context -> {
                    if (context.getElements().size() > CONTEXT_ELEMENTS) {
                        found.add(at + "/elements has " + context.getElements().size() + " items, at most "
                                + CONTEXT_ELEMENTS);
                    }
                    for (int e = 0; e < context.getElements().size(); e++) {
                        if (context.getElements().get(e) instanceof TextObject element) {
                            check(found, at + "/elements/" + e, element, SECTION_TEXT);
                        }
                    }
                }
                case ActionsBlock actions -> {
                    for (int e = 0; e < actions.getElements().size(); e++) {
                        BlockElement element = actions.getElements().get(e);
                        if (element instanceof ButtonElement button) {
                            check(found, at + "/elements/" + e + "/text", button.getText(), BUTTON_TEXT);
                            length(found, at + "/elements/" + e + "/value", button.getValue(), BUTTON_VALUE);
                            length(found, at + "/elements/" + e + "/url", button.getUrl(), BUTTON_URL);
                        }
                    }
                    length(found, at + "/block_id", actions.getBlockId(), ID);
                }
                default -> {}
            }
        }
        return found;
    }

    private static void check(List<String> found, String at, TextObject text, int max) {
        if (text == null) {
            return;
        }
        String value =
                switch (text) {
                    case com.slack.api.model.block.composition.MarkdownTextObject markdown -> markdown.getText();
                    case com.slack.api.model.block.composition.PlainTextObject plain -> plain.getText();
                    default -> "";
                };
        length(found, at + "/text", value, max);
    }

    private static void length(List<String> found, String at, String value, int max) {
        if (value != null && value.length() > max) {
            found.add(at + " has " + value.length() + " characters, at most " + max);
        }
    }
}
