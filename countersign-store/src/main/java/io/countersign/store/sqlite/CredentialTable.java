package io.countersign.store.sqlite;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.identity.StoredCredential;
import io.countersign.store.StoreException;
import io.countersign.store.internal.RequestCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;

/** The SQL of the {@code credentials} table, on a connection the caller owns. */
final class CredentialTable {
    private static final String AGENT = "agent";
    private static final String HUMAN = "human";

    private final RequestCodec codec;

    CredentialTable(RequestCodec codec) {
        this.codec = codec;
    }

    /** Throws {@link IllegalArgumentException} when the principal's name (in any case) or the token id is taken. */
    void insert(Connection connection, StoredCredential credential) throws SQLException {
        Principal principal = credential.principal();
        String kind = kind(principal);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO credentials"
                + " (token_id, kind, name, email, labels, group_names, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, credential.tokenId());
            insert.setString(2, kind);
            insert.setString(3, principal.name());
            switch (principal) {
                case Agent agent -> {
                    insert.setNull(4, Types.VARCHAR);
                    insert.setString(5, codec.writeLabels(agent.labels()));
                    insert.setNull(6, Types.VARCHAR);
                }
                case Human human -> {
                    insert.setString(4, human.email());
                    insert.setNull(5, Types.VARCHAR);
                    insert.setString(6, codec.writeNames(human.groups()));
                }
            }
            insert.setString(7, credential.secretHash());
            insert.setString(8, credential.createdAt().toString());
            insert.executeUpdate();
        } catch (SQLException e) {
            if (!WriteBatch.isConstraintViolation(e)) {
                throw e;
            }
            if (nameTaken(connection, kind, principal.name())) {
                throw new IllegalArgumentException(kind + " '" + principal.name() + "' already exists", e);
            }
            throw new IllegalArgumentException("credential id '" + credential.tokenId() + "' already exists", e);
        }
    }

    Optional<StoredCredential> findByTokenId(Connection connection, String tokenId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT kind, name, email, labels, group_names, secret_hash, created_at"
                + " FROM credentials WHERE token_id = ?")) {
            select.setString(1, tokenId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(new StoredCredential(tokenId, principal(rows), rows.getString(6), Instant.parse(rows.getString(7))));
                } catch (RuntimeException e) {
                    throw new StoreException("the stored credential '" + tokenId + "' is unreadable: " + e.getMessage(), e);
                }
            }
        }
    }

    private Principal principal(ResultSet row) throws SQLException {
        String kind = row.getString(1);
        return switch (kind) {
            case AGENT -> new Agent(row.getString(2), codec.readLabels(row.getString(4)));
            case HUMAN -> new Human(row.getString(2), row.getString(3), new HashSet<>(codec.readNames(row.getString(5))));
            default -> throw new IllegalArgumentException("unknown principal kind '" + kind + "'");
        };
    }

    private static boolean nameTaken(Connection connection, String kind, String name) throws SQLException {
        // lower() on both sides, as in the unique index credentials_one_name_per_kind.
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM credentials WHERE kind = ? AND lower(name) = lower(?)")) {
            select.setString(1, kind);
            select.setString(2, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static String kind(Principal principal) {
        return switch (principal) {
            case Agent agent -> AGENT;
            case Human human -> HUMAN;
        };
    }
}
