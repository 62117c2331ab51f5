package io.countersign.workflow;

import io.countersign.policy.ColumnMask;
import io.countersign.policy.Decision;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The column masks of a decision in its audit entry, {@code masks: [{rule, columns}]}; left out
 * when there are none, so entries of decisions without masks are as they always were.
 */
final class MaskEvents {
    private MaskEvents() {}

    static void put(ObjectNode into, Decision decision) {
        if (decision.masks().isEmpty()) {
            return;
        }
        ArrayNode masks = into.putArray("masks");
        for (ColumnMask mask : decision.masks()) {
            ObjectNode item = masks.addObject();
            item.put("rule", mask.rule());
            ArrayNode columns = item.putArray("columns");
            mask.columnTexts().forEach(columns::add);
        }
    }
}
