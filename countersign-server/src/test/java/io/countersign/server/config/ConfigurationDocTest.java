package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.server.Gateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/configuration.md against the parser. The parser names its known keys when it meets an
 * unknown one, so the test plants an unknown key in every section the doc has and compares: a
 * key the parser knows and the doc does not list, or the reverse, fails.
 */
class ConfigurationDocTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z0-9_.\\[\\]]+)` \\|", Pattern.MULTILINE);
    private static final Pattern KNOWN = Pattern.compile("known keys are \\[([^\\]]*)]");
    private static final String PROBE = "zzzProbe";

    @TempDir
    Path directory;

    private static Path repositoryFile(String name) {
        for (Path candidate : List.of(Path.of(name), Path.of("..").resolve(name))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(name + " not found from " + Path.of("").toAbsolutePath());
    }

    @Test
    void everySectionOfTheDocListsExactlyTheKeysTheParserKnows() throws IOException {
        Set<String> documented = new TreeSet<>();
        Matcher rows = ROW.matcher(Files.readString(repositoryFile("docs/configuration.md")));
        while (rows.find()) {
            documented.add(rows.group(1));
        }
        assertThat(documented).hasSizeGreaterThan(80);
        TreeMap<String, Set<String>> childrenBySection = new TreeMap<>();
        childrenBySection.put("", new TreeSet<>());
        for (String key : documented) {
            int dot = key.lastIndexOf('.');
            String section = dot < 0 ? "" : key.substring(0, dot);
            childrenBySection.computeIfAbsent(section, s -> new TreeSet<>()).add(key.substring(dot + 1));
        }
        List<String> mismatches = new ArrayList<>();
        for (var section : childrenBySection.entrySet()) {
            Set<String> parser = knownKeys(section.getKey());
            if (!parser.equals(section.getValue())) {
                Set<String> undocumented = new TreeSet<>(parser);
                undocumented.removeAll(section.getValue());
                Set<String> unknown = new TreeSet<>(section.getValue());
                unknown.removeAll(parser);
                mismatches.add("section '" + section.getKey() + "': the parser knows " + undocumented
                        + " that the doc lacks; the doc lists " + unknown + " that the parser does not know");
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void theDocsExampleAndTheReadmesSampleConfigStartAsPasted() throws Exception {
        List<String> samples = List.of(
                yamlBlockAfter(repositoryFile("docs/configuration.md"), "## A complete example"),
                yamlBlockAfter(repositoryFile("README.md"), "## Configuration"));
        for (String sample : samples) {
            Path file = directory.resolve("countersign-" + sample.hashCode() + ".yaml");
            Files.writeString(file, sample);
            ServerConfig config =
                    ConfigFile.load(file).withPort(0).withDataDirectory(directory.resolve("data-" + sample.hashCode()));
            try (Gateway gateway = Gateway.start(config, Clock.systemUTC())) {
                HttpResponse<String> health = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/healthz"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
            }
        }
    }

    /** The parser's known keys of one section, read from its error on a planted unknown key. */
    private Set<String> knownKeys(String section) throws IOException {
        Path file = directory.resolve("probe.yaml");
        Files.writeString(file, probe(section));
        String message = "";
        try {
            ConfigFile.load(file);
        } catch (ConfigException e) {
            message = e.getMessage();
        }
        Matcher known = KNOWN.matcher(message);
        assertThat(known.find())
                .as("section '%s' with an unknown key: %s", section, message)
                .isTrue();
        assertThat(message).contains(PROBE);
        return new TreeSet<>(Arrays.stream(known.group(1).split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList());
    }

    /** YAML that reaches {@code section} and puts the probe key in it: {@code a.b[].c} is {@code a: {b: [{c: {probe}}]}}. */
    private static String probe(String section) {
        String inner = "{" + PROBE + ": 1}";
        if (section.isEmpty()) {
            return PROBE + ": 1\n";
        }
        List<String> parts = List.of(section.split("\\."));
        String value = inner;
        for (int i = parts.size() - 1; i >= 0; i--) {
            String part = parts.get(i);
            if (part.endsWith("[]")) {
                value = "{" + part.substring(0, part.length() - 2) + ": [" + value + "]}";
            } else {
                value = "{" + part + ": " + value + "}";
            }
        }
        if (section.startsWith("mcp.") && !section.startsWith("mcp.servers")) {
            // the servers are read first; give them one
            value = value.replaceFirst("^\\{mcp: \\{", "{mcp: {servers: {NAME: {command: x}}, ");
        }
        return value.substring(1, value.length() - 1) + "\n";
    }

    private static String yamlBlockAfter(Path file, String heading) throws IOException {
        String text = Files.readString(file);
        int at = text.indexOf(heading);
        assertThat(at).as("%s has '%s'", file, heading).isNotNegative();
        int start = text.indexOf("```yaml\n", at) + "```yaml\n".length();
        return text.substring(start, text.indexOf("```", start));
    }

    @Test
    void theProbeIsRefusedEverywhere_soTheComparisonCanFail() throws IOException {
        Path file = directory.resolve("typo.yaml");
        Files.writeString(file, "server: {prot: 8080}\n");
        assertThatThrownBy(() -> ConfigFile.load(file)).hasMessageContaining("unknown key 'prot' in server");
    }
}
