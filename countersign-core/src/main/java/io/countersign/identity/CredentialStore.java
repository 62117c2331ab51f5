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

    Optional<StoredCredential> findByTokenId(String tokenId);

    /** Every credential, revoked ones included, ordered by kind and name. */
    List<StoredCredential> list();

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
