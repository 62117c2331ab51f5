package io.countersign.server.insights;

import io.countersign.workflow.ApprovalRequest;
import java.util.Arrays;
import java.util.List;

/** One request with what the humans made of it, and its resource's path segments. */
record Evidence(ApprovalRequest request, Verdict verdict, List<String> segments) {
    static Evidence of(ApprovalRequest request) {
        return new Evidence(
                request,
                Verdict.of(request),
                Arrays.asList(request.action().resource().split("/")));
    }

    /** The folder the resource is in ({@code db/analytics} for {@code db/analytics/events}); empty at the top. */
    String folder() {
        return String.join("/", segments.subList(0, segments.size() - 1));
    }
}
