package io.countersign.identity;

/**
 * Who is calling. An {@link Agent} can request actions and never approve them; a {@link Human}
 * can decide. The workflow's approve and deny take a {@code Human}, so an agent credential
 * cannot even be passed there.
 */
public sealed interface Principal permits Agent, Human {
    /** A stable name, unique among principals of the same kind, used in the audit log. */
    String name();

    /** How the audit log names this principal: {@code agent:NAME} or {@code human:NAME}. */
    String auditName();
}
