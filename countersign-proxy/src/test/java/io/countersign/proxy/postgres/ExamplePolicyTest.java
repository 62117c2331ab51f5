package io.countersign.proxy.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The example policy of docs/postgres-proxy.md decides as the page says: each statement's most restrictive action wins. */
class ExamplePolicyTest {
    private static final Path DOC = Path.of("..", "docs", "postgres-proxy.md");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "SELECT * FROM analytics.events | ALLOW",
                "SELECT * FROM public.customers | DENY",
                "BEGIN | ALLOW",
                "INSERT INTO public.orders VALUES (1) | REQUIRE_APPROVAL",
                "UPDATE public.orders SET item = 'x' WHERE id = 1 | REQUIRE_APPROVAL",
                "DELETE FROM public.orders | DENY",
                "TRUNCATE public.orders | DENY",
                "DROP TABLE public.orders | DENY",
                "COPY analytics.events TO STDOUT | REQUIRE_APPROVAL",
                "SELECT pg_read_file('/etc/passwd') | DENY",
                "SELECT e.* FROM analytics.events e JOIN public.customers c ON c.id = e.customer | DENY"
            })
    void decidesAsTheDocsSay(String sql, Effect expected) throws Exception {
        Policy policy = Policy.parse("docs/postgres-proxy.md", examplePolicy());
        List<Action> actions = new StatementActions("main", "app").of(sql, Optional.empty());
        Effect effect = actions.stream()
                .map(action -> policy.decide(new DecisionInput(action, Agent.named("reporter"), Instant.now()))
                        .effect())
                .max(Comparator.comparingInt(ExamplePolicyTest::restrictiveness))
                .orElseThrow();
        assertThat(effect).isEqualTo(expected);
    }

    private static int restrictiveness(Effect effect) {
        return switch (effect) {
            case ALLOW -> 0;
            case REQUIRE_APPROVAL -> 1;
            case DENY -> 2;
        };
    }

    private static String examplePolicy() throws Exception {
        Matcher block = Pattern.compile("## Example policy\\s+```yaml\\n(.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(DOC));
        assertThat(block.find())
                .as("docs/postgres-proxy.md has an example policy")
                .isTrue();
        return block.group(1);
    }
}
