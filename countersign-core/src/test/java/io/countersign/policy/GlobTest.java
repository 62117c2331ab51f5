package io.countersign.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

    @ParameterizedTest(name = "action glob {0} vs {1} -> {2}")
    @CsvSource({
        "db.query,          db.query,           true",
        "db.query,          db.querys,          false",
        "db.query,          DB.query,           false",
        "iam.*,             iam.grant,          true",
        "iam.*,             iam.role.create,    false",
        "iam.*,             iam,                false",
        "iam.*,             iamx.grant,         false",
        "iam.**,            iam,                true",
        "iam.**,            iam.grant,          true",
        "iam.**,            iam.role.create,    true",
        "iam.**,            iamx.grant,         false",
        "iam.**,            iamx,               false",
        "**,                anything.at.all,    true",
        "*,                 single,             true",
        "*,                 two.segments,       false",
        "**.delete,         delete,             true",
        "**.delete,         db.table.delete,    true",
        "**.delete,         db.table.undelete,  false",
        "db.**.delete,      db.delete,          true",
        "db.**.delete,      db.rows.old.delete, true",
        "db.**.delete,      dbx.rows.delete,    false",
        "db.*port,          db.export,          true",
        "db.*port,          db.port,            true",
        "db.*port,          db.exports,         false",
        "db.ex*t,           db.export,          true",
        "*.*,               db.export,          true",
        "*.*,               db.export.csv,      false",
        "db.**.**,          db.a.b,             true",
        "a-b_c.*,           a-b_c.d,            true",
    })
    void actionGlobs(String glob, String action, boolean matches) {
        assertThat(Glob.action(glob).matches(action)).isEqualTo(matches);
    }

    @ParameterizedTest(name = "resource glob {0} vs {1} -> {2}")
    @CsvSource({
        "db/prod/*,         db/prod/customers,          true",
        "db/prod/*,         db/prod/eu/customers,       false",
        "db/prod/**,        db/prod/eu/customers,       true",
        "db/prod/**,        db/prod,                    true",
        "db/prod/**,        db/production/customers,    false",
        "db/*/customers,    db/staging/customers,       true",
        "db/*/customers,    db/a/b/customers,           false",
        "s3/bucket.logs/*,  s3/bucket.logs/2025.gz,     true",
        "s3/bucket.logs/*,  s3/bucketXlogs/2025.gz,     false",
        "**/secrets,        vault/team/secrets,         true",
    })
    void resourceGlobs(String glob, String resource, boolean matches) {
        assertThat(Glob.resource(glob).matches(resource)).isEqualTo(matches);
    }

    @ParameterizedTest(name = "agent glob {0} vs {1} -> {2}")
    @CsvSource({
        "etl-*,             etl-nightly,        true",
        "etl-*,             etl.nightly/x,      false",
        "*-bot,             deploy-bot,         true",
        "*,                 anyone,             true",
        "claude,            claude,             true",
        "claude,            claude-2,           false",
        "spiffe://prod/*,   spiffe://prod/a/b,  true",
    })
    void agentGlobs_haveNoSegments(String glob, String agent, boolean matches) {
        assertThat(Glob.agent(glob).matches(agent)).isEqualTo(matches);
    }

    @ParameterizedTest(name = "literal prefix of {0} is ''{1}''")
    @CsvSource({
        "db.query,      db.query",
        "db.*,          db.",
        "db.ex*,        db.ex",
        "db.**,         db",
        "db.**.delete,  db",
        "**.delete,     ''",
        "*,             ''",
    })
    void literalPrefix_isWhatEveryMatchStartsWith(String glob, String prefix) {
        assertThat(Glob.action(glob).literalPrefix()).isEqualTo(prefix);
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' is refused: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''           | empty pattern",
                "db..query    | has an empty segment",
                ".db          | has an empty segment",
                "db.          | has an empty segment",
                "db.q**       | '**' must be a whole segment, got 'q**'",
                "db.***       | '**' must be a whole segment, got '***'",
                "db.qu?ry     | has a character not allowed in an action",
                "db.[ab]      | has a character not allowed in an action",
                "db query     | has a character not allowed in an action",
                "db/query     | has a character not allowed in an action",
            })
    void invalidActionGlobs_areRefused(String glob, String message) {
        assertThatThrownBy(() -> Glob.action(glob))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"'etl bot'", "etl-?", "'{a,b}'"})
    void invalidAgentGlobs_areRefused(String glob) {
        assertThatThrownBy(() -> Glob.agent(glob)).isInstanceOf(IllegalArgumentException.class);
    }
}
