package io.countersign.identity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where agents' API keys and humans' local tokens are kept, hashed. A credential's public id
 * finds its record; the secret's hash is compared in constant time by {@link ApiTokens}.
 */
public interface CredentialStore {

    /**
     * Stores a new credential. Throws {@link IllegalArgumentException} when a principal of the same
     * kind with that name (in any case) has an unrevoked credential.
     */
    void create(StoredCredential credential);

    /**
     * The credential with this public id, as it is now: a change committed before this call
     * (by anyone) is in the answer. Its {@link StoredCredential#lastUsedAt()} may lag behind
     * {@link #touch}, which a store may keep out of its caches; {@link #list()} has it.
     */
    Optional<StoredCredential> findByTokenId(String tokenId);

    /** Every credential, revoked ones included, ordered by kind and name. */
    List<StoredCredential> list();

    /**
     * A number that moves, in the same transaction, with every change to any credential (created,
     * revoked, groups, expiry; not {@link #touch}) or suspension, whoever makes it: while it stands
     * still, {@link #list()} would answer the same but for {@code lastUsedAt}. Read it before what
     * it vouches for, so that what was read is never older than the number kept with it.
     */
    long credentialChanges();

    /** Revokes every unrevoked credential of the agent with this name (any case); returns how many. */
    int revokeAgent(String name, Instant at);

    /** Revokes every unrevoked credential of the human with this name (any case); returns how many. */
    int revokeHuman(String name, Instant at);

    /**
     * Replaces the groups of the human with this name (any case) on every unrevoked credential;
     * returns how many credentials changed. The token stays the same.
     */
    int changeHumanGroups(String name, Set<String> groups);

    /** Records that the credential was used at {@code at}. */
    void touch(String tokenId, Instant at);
}
