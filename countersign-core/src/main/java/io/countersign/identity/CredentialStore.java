package io.countersign.identity;

import java.util.Optional;

/**
 * Where agents' API keys and humans' local tokens are kept, hashed. A credential's public id
 * finds its record; the secret's hash is compared in constant time by {@link ApiTokens}.
 */
public interface CredentialStore {

    /** Stores a new credential. Throws {@link IllegalArgumentException} when the principal's name is taken. */
    void create(StoredCredential credential);

    Optional<StoredCredential> findByTokenId(String tokenId);
}
