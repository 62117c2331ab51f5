package io.countersign.server.teams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.workflow.ApprovalRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The card as a Teams client renders it: the real {@code adaptivecards} package with
 * {@code markdown-it} for the markdown of TextBlocks and FactSets (as Teams renders markdown), in a
 * {@code jsdom} document, all from the npm registry (installed once into
 * {@code ~/.cache/countersign-npm-cards}, or {@code $COUNTERSIGN_NPM_CARDS}). Agent text full of
 * markdown must come out as the same characters, with no emphasis, link, heading or list made of it.
 * Without node and npm the test is skipped, and says why.
 */
class TeamsMarkdownRenderingTest {
    private static final List<String> PACKAGES = List.of("adaptivecards@3.0.6", "markdown-it@15.0.3", "jsdom@29.1.1");
    private static Path modules;

    private final ApprovalCard cards = new ApprovalCard(
            FakeTeams.MAPPER,
            request -> "https://countersign.example.com/console/requests/"
                    + request.id().value());

    @BeforeAll
    static void install() throws Exception {
        assumeTrue(onPath("node") && onPath("npm"), "node or npm is not installed: skipping the Teams rendering test");
        String configured = System.getenv("COUNTERSIGN_NPM_CARDS");
        Path folder = configured != null
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "countersign-npm-cards");
        if (!List.of("adaptivecards", "markdown-it", "jsdom").stream()
                .allMatch(
                        name -> Files.isDirectory(folder.resolve("node_modules").resolve(name)))) {
            Files.createDirectories(folder);
            List<String> command = new ArrayList<>(
                    List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", folder.toString()));
            command.addAll(PACKAGES);
            Process npm = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(folder.resolve("npm-install.log").toFile())
                    .start();
            if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                throw new IllegalStateException("npm install failed; see " + folder.resolve("npm-install.log"));
            }
        }
        modules = folder.resolve("node_modules");
    }

    /** What each card renders to: its text, and the tags markdown made. */
    private static List<JsonNode> render(List<ObjectNode> cardsToRender) throws Exception {
        Path script = Files.createTempFile("render-card", ".js");
        try (InputStream in = TeamsMarkdownRenderingTest.class.getResourceAsStream("render-card.js")) {
            Files.write(script, in.readAllBytes());
        }
        try {
            ArrayNode input = FakeTeams.MAPPER.createArrayNode();
            cardsToRender.forEach(input::add);
            ProcessBuilder builder = new ProcessBuilder("node", script.toString());
            builder.environment().put("NODE_PATH", modules.toString());
            Process node = builder.start();
            node.getOutputStream().write(FakeTeams.MAPPER.writeValueAsBytes(input));
            node.getOutputStream().close();
            byte[] out = node.getInputStream().readAllBytes();
            String err = new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue()).as("node: %s", err).isZero();
            List<JsonNode> rendered = new ArrayList<>();
            FakeTeams.MAPPER.readTree(out).forEach(rendered::add);
            return rendered;
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** The card of a request by an agent of this name, for this action and resource: each shown in markdown text. */
    private ObjectNode cardFor(String agent, String action, String resource) {
        ApprovalRequest pending = ApprovalCardTest.pending(
                new Action(action, resource, Action.noParams(), "weekly report", Optional.empty()), false);
        ApprovalRequest request = new ApprovalRequest(
                pending.id(),
                Agent.named(agent),
                pending.action(),
                pending.digest(),
                pending.decision(),
                pending.status(),
                pending.votes(),
                pending.createdAt(),
                pending.expiresAt(),
                pending.decidedAt(),
                pending.decidedBy(),
                pending.idempotencyKey(),
                pending.grant(),
                pending.execution(),
                pending.delegation(),
                pending.resolution(),
                pending.breakGlass());
        return cards.render(request, ApprovalCard.Mode.INTERACTIVE);
    }

    @Test
    void namesFullOfMarkdownRenderLiterallyInTheCardsTitleAndFacts() throws Exception {
        // Agent names are free text to the card; action and resource take the characters their names allow.
        List<String[]> cases = List.of(
                new String[] {"ops.__all__", "ops.__all__", "db/__all__/x"},
                new String[] {"**Approved** by security-lead", "db.export", "db/prod/customers"},
                new String[] {"_urgent_ ~~not~~ `code`", "db._x_", "db/_x_/y"},
                new String[] {"[click here](https://evil.example/approve)", "db.export", "db/+x/-y"},
                new String[] {"![img](https://evil.example/p.png)", "db.export", "db/prod/customers"},
                new String[] {"# Approved", "db.export", "db/prod/customers"},
                new String[] {"1. approved", "1.approved", "1.x/y"},
                new String[] {"- approved", "-approved", "-x/+y"},
                new String[] {"> quoted", "db.export", "db/prod/customers"},
                new String[] {"a &amp; b &lt;b&gt; &#42;", "db.export", "db/a=b/c:d@e"},
                new String[] {"<b>bold</b> <a href=\"x\">x</a>", "db.export", "db/prod/customers"},
                new String[] {"back\\slash \\*not\\*", "db.export", "db/prod/customers"});
        List<ObjectNode> rendered = new ArrayList<>();
        for (String[] names : cases) {
            rendered.add(cardFor(names[0], names[1], names[2]));
        }

        List<JsonNode> results = render(rendered);

        for (int i = 0; i < cases.size(); i++) {
            String[] names = cases.get(i);
            JsonNode result = results.get(i);
            // Cells and paragraphs end in line breaks: compare words, not layout.
            assertThat(result.path("text").asString().replaceAll("\\s+", " "))
                    .as("the rendered card of %s", String.join(" | ", names))
                    .contains("Approval needed: " + names[1] + " ")
                    .contains("Agent " + names[0] + " ")
                    .contains("Action " + names[1] + " ")
                    .contains("Resource " + names[2] + " ");
            List<String> tags = new ArrayList<>();
            result.path("tags").forEach(tag -> tags.add(tag.asString()));
            // The card's own layout (a FactSet is a table) is not markdown: only what markdown makes counts.
            assertThat(tags).as("markup made of %s", String.join(" | ", names)).allMatch("table"::equals);
        }
    }

    private static boolean onPath(String program) {
        try {
            Process process = new ProcessBuilder(program, "--version")
                    .redirectErrorStream(true)
                    .start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
