package io.countersign.server.identity;

import io.countersign.identity.Human;
import io.countersign.server.http.Access;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Roles of local humans (the embedded setup without an identity provider), kept as reserved
 * groups on their token: {@code countersign:admin} and {@code countersign:auditor}. A ':' is not
 * allowed in a group name given on the command line or the admin API, so only a role can put
 * these there; and they count only for a local token, never for a group an identity provider
 * sends (those get roles from {@code identity.roles}).
 */
public final class LocalRoles {
    static final String PREFIX = "countersign:";
    public static final Set<String> NAMES = Set.of("admin", "auditor");

    private LocalRoles() {}

    /** The reserved group of a role name ({@code admin}, {@code auditor}). */
    public static String group(String role) {
        String name = role.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("role '" + role + "' is not one of " + new TreeSet<>(NAMES));
        }
        return PREFIX + name;
    }

    /** The role names a local human holds. */
    public static Set<String> of(Human human) {
        Set<String> roles = new TreeSet<>();
        human.groups().stream()
                .filter(group -> group.startsWith(PREFIX))
                .map(group -> group.substring(PREFIX.length()))
                .filter(NAMES::contains)
                .forEach(roles::add);
        return roles;
    }

    /** The groups a human has beyond roles: what policies and quorums see. */
    public static Set<String> plainGroups(Human human) {
        Set<String> groups = new TreeSet<>();
        human.groups().stream().filter(group -> !group.startsWith(PREFIX)).forEach(groups::add);
        return groups;
    }

    static Set<Access> access(Human human) {
        Set<Access> access = EnumSet.noneOf(Access.class);
        Set<String> roles = of(human);
        Optional.of(Access.ADMIN).filter(a -> roles.contains("admin")).ifPresent(access::add);
        Optional.of(Access.AUDITOR).filter(a -> roles.contains("auditor")).ifPresent(access::add);
        return access;
    }
}
