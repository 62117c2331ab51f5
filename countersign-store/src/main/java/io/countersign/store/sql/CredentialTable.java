package io.countersign.store.sql;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.identity.Scopes;
import io.countersign.identity.StoredCredential;
import io.countersign.identity.Suspension;
import io.countersign.store.StoreException;
import io.countersign.store.internal.RequestCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The SQL of the {@code credentials} and {@code agent_suspensions} tables, on a connection the caller owns. */
public final class CredentialTable {
    private static final String AGENT = "agent";
    private static final String HUMAN = "human";
    private static final String COLUMNS = "token_id, kind, name, email, labels, group_names, secret_hash, created_at,"
            + " expires_at, revoked_at, last_used_at, scopes";

    private final RequestCodec codec;

    public CredentialTable(RequestCodec codec) {
        this.codec = codec;
    }

    /** Throws {@link IllegalArgumentException} when a live credential has the principal's name (in any case) or the token id is taken. */
    public void insert(Connection connection, StoredCredential credential) throws SQLException {
        Principal principal = credential.principal();
        String kind = kind(principal);
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO credentials (" + COLUMNS + ")" + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
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
            setInstant(insert, 9, credential.expiresAt());
            setInstant(insert, 10, credential.revokedAt());
            setInstant(insert, 11, credential.lastUsedAt());
            Optional<List<String>> scopes = credential.scopes().texts();
            if (scopes.isPresent()) {
                insert.setString(12, codec.writeNames(scopes.get()));
            } else {
                insert.setNull(12, Types.VARCHAR);
            }
            insert.executeUpdate();
        } catch (SQLException e) {
            if (!SqlErrors.isConstraintViolation(e)) {
                throw e;
            }
            if (nameTaken(connection, kind, principal.name())) {
                throw new IllegalArgumentException(kind + " '" + principal.name() + "' already exists", e);
            }
            throw new IllegalArgumentException("credential id '" + credential.tokenId() + "' already exists", e);
        }
    }

    /**
     * The change counter of credentials and suspensions: the database's triggers (schema 11) bump
     * it in the transaction of every change but a key's last use. One row by primary key.
     */
    public long changes(Connection connection) throws SQLException {
        try (PreparedStatement select =
                        connection.prepareStatement("SELECT version FROM credential_changes WHERE id = 1");
                ResultSet rows = select.executeQuery()) {
            if (!rows.next()) {
                throw new StoreException("the credential change counter is missing (schema 11)");
            }
            return rows.getLong(1);
        }
    }

    public Optional<StoredCredential> findByTokenId(Connection connection, String tokenId) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT " + COLUMNS + " FROM credentials WHERE token_id = ?")) {
            select.setString(1, tokenId);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(credential(rows)) : Optional.empty();
            }
        }
    }

    public List<StoredCredential> list(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                        "SELECT " + COLUMNS + " FROM credentials ORDER BY kind, lower(name), created_at");
                ResultSet rows = select.executeQuery()) {
            List<StoredCredential> all = new ArrayList<>();
            while (rows.next()) {
                all.add(credential(rows));
            }
            return all;
        }
    }

    public int revokeAgent(Connection connection, String name, Instant at) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE credentials SET revoked_at = ? WHERE kind = ? AND lower(name) = lower(?) AND revoked_at IS NULL")) {
            update.setString(1, at.toString());
            update.setString(2, AGENT);
            update.setString(3, name);
            return update.executeUpdate();
        }
    }

    public int revokeHuman(Connection connection, String name, Instant at) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE credentials SET revoked_at = ? WHERE kind = ? AND lower(name) = lower(?) AND revoked_at IS NULL")) {
            update.setString(1, at.toString());
            update.setString(2, HUMAN);
            update.setString(3, name);
            return update.executeUpdate();
        }
    }

    public int changeHumanGroups(Connection connection, String name, java.util.Set<String> groups) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE credentials SET group_names = ? WHERE kind = ? AND lower(name) = lower(?) AND revoked_at IS NULL")) {
            update.setString(1, codec.writeNames(new java.util.TreeSet<>(groups)));
            update.setString(2, HUMAN);
            update.setString(3, name);
            return update.executeUpdate();
        }
    }

    public void touch(Connection connection, String tokenId, Instant at) throws SQLException {
        try (PreparedStatement update =
                connection.prepareStatement("UPDATE credentials SET last_used_at = ? WHERE token_id = ?")) {
            update.setString(1, at.toString());
            update.setString(2, tokenId);
            update.executeUpdate();
        }
    }

    public List<Suspension> suspensions(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                        "SELECT name, suspended_at, suspended_by, reason FROM agent_suspensions ORDER BY name_key");
                ResultSet rows = select.executeQuery()) {
            List<Suspension> all = new ArrayList<>();
            while (rows.next()) {
                all.add(suspension(rows));
            }
            return all;
        }
    }

    public boolean suspend(Connection connection, Suspension suspension) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO agent_suspensions"
                        + " (name_key, name, suspended_at, suspended_by, reason) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name_key) DO NOTHING")) {
            insert.setString(1, suspension.agent().toLowerCase(Locale.ROOT));
            insert.setString(2, suspension.agent());
            insert.setString(3, suspension.at().toString());
            insert.setString(4, suspension.by());
            insert.setString(5, suspension.reason());
            return insert.executeUpdate() == 1;
        }
    }

    public boolean resume(Connection connection, String agent) throws SQLException {
        try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM agent_suspensions WHERE name_key = ?")) {
            delete.setString(1, agent.toLowerCase(Locale.ROOT));
            return delete.executeUpdate() == 1;
        }
    }

    private static Suspension suspension(ResultSet row) throws SQLException {
        try {
            return new Suspension(
                    row.getString(1), Instant.parse(row.getString(2)), row.getString(3), row.getString(4));
        } catch (RuntimeException e) {
            throw new StoreException(
                    "the suspension of agent '" + row.getString(1) + "' is unreadable: " + e.getMessage(), e);
        }
    }

    private StoredCredential credential(ResultSet row) throws SQLException {
        String tokenId = row.getString(1);
        try {
            String scopes = row.getString(12);
            return new StoredCredential(
                    tokenId,
                    principal(row),
                    row.getString(7),
                    Instant.parse(row.getString(8)),
                    instant(row.getString(9)),
                    instant(row.getString(10)),
                    instant(row.getString(11)),
                    scopes == null ? Scopes.UNRESTRICTED : Scopes.of(codec.readNames(scopes)));
        } catch (RuntimeException e) {
            throw new StoreException("the stored credential '" + tokenId + "' is unreadable: " + e.getMessage(), e);
        }
    }

    private static Optional<Instant> instant(String text) {
        return Optional.ofNullable(text).map(Instant::parse);
    }

    private static void setInstant(PreparedStatement statement, int index, Optional<Instant> value)
            throws SQLException {
        if (value.isPresent()) {
            statement.setString(index, value.get().toString());
        } else {
            statement.setNull(index, Types.VARCHAR);
        }
    }

    private Principal principal(ResultSet row) throws SQLException {
        String kind = row.getString(2);
        return switch (kind) {
            case AGENT -> new Agent(row.getString(3), codec.readLabels(row.getString(5)));
            case HUMAN ->
                new Human(row.getString(3), row.getString(4), new HashSet<>(codec.readNames(row.getString(6))));
            default -> throw new IllegalArgumentException("unknown principal kind '" + kind + "'");
        };
    }

    private static boolean nameTaken(Connection connection, String kind, String name) throws SQLException {
        // lower() on both sides and live credentials only, as in the unique index credentials_one_live_name_per_kind.
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT 1 FROM credentials WHERE kind = ? AND lower(name) = lower(?) AND revoked_at IS NULL")) {
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
