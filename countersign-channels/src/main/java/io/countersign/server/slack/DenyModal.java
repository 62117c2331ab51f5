package io.countersign.server.slack;

import static com.slack.api.model.block.Blocks.input;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.plainTextInput;
import static com.slack.api.model.view.Views.view;
import static com.slack.api.model.view.Views.viewClose;
import static com.slack.api.model.view.Views.viewSubmit;
import static com.slack.api.model.view.Views.viewTitle;
import static java.util.Objects.requireNonNull;

import com.slack.api.model.view.View;
import io.countersign.server.slack.SlackApi.MessageRef;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The modal a Deny click opens: a denial needs a comment saying why. Its private metadata
 * carries the request id and the message to update once the denial is recorded.
 */
final class DenyModal {
    static final String CALLBACK_ID = "countersign_deny";
    static final String COMMENT_BLOCK = "countersign_comment";
    static final String COMMENT_ACTION = "comment";

    /** What a submitted modal is about. */
    record Target(RequestId request, Optional<MessageRef> message) {
        Target {
            requireNonNull(request, "request is null");
            requireNonNull(message, "message is null");
        }
    }

    private DenyModal() {}

    static View build(ApprovalRequest request, Optional<MessageRef> message, JsonMapper mapper) {
        ObjectNode metadata = mapper.createObjectNode();
        metadata.put("request", request.id().value());
        message.ifPresent(ref -> metadata.put("message", ref.asString()));
        String summary =
                "Deny `" + ApprovalMessage.escape(request.action().action()).replace('`', '\'') + "` on `"
                        + ApprovalMessage.escape(request.action().resource()).replace('`', '\'') + "` for *"
                        + ApprovalMessage.escape(request.agent().name()) + "*?";
        return view(v -> v.type("modal")
                .callbackId(CALLBACK_ID)
                .privateMetadata(mapper.writeValueAsString(metadata))
                .title(viewTitle(t -> t.type("plain_text").text("Deny request")))
                .submit(viewSubmit(s -> s.type("plain_text").text("Deny")))
                .close(viewClose(c -> c.type("plain_text").text("Cancel")))
                .blocks(List.of(section(s -> s.text(markdownText(summary))), input(i -> i.blockId(COMMENT_BLOCK)
                        .label(plainText("Why? The agent and the audit log see this."))
                        .element(plainTextInput(
                                p -> p.actionId(COMMENT_ACTION).multiline(true).maxLength(2000)))))));
    }

    /** The target from a view_submission's view, or empty when it is not one of ours or is malformed. */
    static Optional<Target> target(JsonNode view, JsonMapper mapper) {
        if (!CALLBACK_ID.equals(view.path("callback_id").asString(""))) {
            return Optional.empty();
        }
        try {
            JsonNode metadata = mapper.readTree(view.path("private_metadata").asString(""));
            String id = metadata.path("request").asString("");
            if (!RequestId.isValid(id)) {
                return Optional.empty();
            }
            Optional<MessageRef> message = Optional.of(metadata.path("message").asString(""))
                    .filter(ref -> !ref.isEmpty())
                    .map(MessageRef::parse);
            return Optional.of(new Target(new RequestId(id), message));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    static String comment(JsonNode view) {
        return view.path("state")
                .path("values")
                .path(COMMENT_BLOCK)
                .path(COMMENT_ACTION)
                .path("value")
                .asString("");
    }
}
