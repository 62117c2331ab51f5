package io.countersign.server.http;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/** One registered route and who may call it, as the server has it: for tests that walk every route. */
public record RouteInfo(String method, String path, Set<Access> access) {
    public RouteInfo {
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        access = Set.copyOf(requireNonNull(access, "access is null"));
    }
}
