package io.countersign.server.slack;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What Slack checks in a message's blocks before it accepts chat.postMessage or chat.update, from the
 * Block Kit reference (https://api.slack.com/reference/block-kit/blocks): written apart from the
 * gateway's own {@code BlockKitLimits} so a mistake there is caught here. Each problem is worded as
 * Slack words it in the {@code errors} of an {@code invalid_blocks} answer, with a JSON pointer.
 */
final class BlockKitValidator {
    private BlockKitValidator() {}

    static List<String> problems(JsonNode blocks) {
        List<String> problems = new ArrayList<>();
        if (!blocks.isArray()) {
            problems.add("must be an array [json-pointer:/blocks]");
            return problems;
        }
        if (blocks.size() > 50) {
            problems.add("no more than 50 items allowed [json-pointer:/blocks]");
        }
        for (int i = 0; i < blocks.size(); i++) {
            JsonNode block = blocks.get(i);
            String at = "/blocks/" + i;
            max(problems, block.path("block_id"), 255, at + "/block_id");
            switch (block.path("type").asString()) {
                case "section" -> {
                    JsonNode fields = block.path("fields");
                    if (block.path("text").isMissingNode() && fields.isMissingNode()) {
                        problems.add("must provide text or fields [json-pointer:" + at + "]");
                    }
                    text(problems, block.path("text"), 3000, at + "/text");
                    if (fields.size() > 10) {
                        problems.add("no more than 10 items allowed [json-pointer:" + at + "/fields]");
                    }
                    for (int f = 0; f < fields.size(); f++) {
                        text(problems, fields.get(f), 2000, at + "/fields/" + f);
                    }
                }
                case "header" -> {
                    if (!"plain_text".equals(block.path("text").path("type").asString())) {
                        problems.add("must be plain_text [json-pointer:" + at + "/text]");
                    }
                    text(problems, block.path("text"), 150, at + "/text");
                }
                case "context" -> {
                    JsonNode elements = block.path("elements");
                    if (elements.size() > 10) {
                        problems.add("no more than 10 items allowed [json-pointer:" + at + "/elements]");
                    }
                    for (int e = 0; e < elements.size(); e++) {
                        text(problems, elements.get(e), 3000, at + "/elements/" + e);
                    }
                }
                case "actions" -> {
                    JsonNode elements = block.path("elements");
                    if (elements.size() > 25) {
                        problems.add("no more than 25 items allowed [json-pointer:" + at + "/elements]");
                    }
                    for (int e = 0; e < elements.size(); e++) {
                        JsonNode element = elements.get(e);
                        String el = at + "/elements/" + e;
                        text(problems, element.path("text"), 75, el + "/text");
                        max(problems, element.path("value"), 2000, el + "/value");
                        max(problems, element.path("url"), 3000, el + "/url");
                        max(problems, element.path("action_id"), 255, el + "/action_id");
                    }
                }
                case "divider", "image", "input", "rich_text", "file", "video" -> {}
                default -> problems.add("unsupported type [json-pointer:" + at + "/type]");
            }
        }
        return problems;
    }

    private static void text(List<String> problems, JsonNode text, int max, String at) {
        if (text.isMissingNode()) {
            return;
        }
        JsonNode value = text.path("text");
        if (value.asString().isEmpty()) {
            problems.add("must be at least 1 characters [json-pointer:" + at + "/text]");
        }
        max(problems, value, max, at + "/text");
    }

    private static void max(List<String> problems, JsonNode value, int max, String at) {
        if (value.isString() && value.stringValue().length() > max) {
            problems.add("must be less than " + (max + 1) + " characters [json-pointer:" + at + "]");
        }
    }
}
