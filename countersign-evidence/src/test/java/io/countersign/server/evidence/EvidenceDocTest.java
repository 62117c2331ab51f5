package io.countersign.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/evidence.md against the package: the files its table lists and the count it states are the package's. */
class EvidenceDocTest {
    private static final Pattern FILE = Pattern.compile("`([a-z./-]+\\.(?:csv|jsonl|json|html|txt))`");
    private static final Pattern COUNT = Pattern.compile("(\\d+) files");

    @Test
    void theDocsTableListsExactlyThePackagesFiles_andEveryFileCountItStatesIsThePackages() throws IOException {
        String doc = Files.readString(repositoryFile("docs/evidence.md"));
        String table = doc.substring(doc.indexOf("## What is in the zip"), doc.indexOf("CSV files are RFC 4180"));
        Set<String> documented = new TreeSet<>();
        for (String row : table.lines().filter(l -> l.startsWith("| `")).toList()) {
            Matcher names = FILE.matcher(row.substring(0, row.indexOf(" | ", 2)));
            while (names.find()) {
                documented.add(names.group(1));
            }
        }
        EvidencePeriod period = EvidencePeriod.parse("2026-10-01", "2026-11-01");
        History history = new History()
                .policy(Instant.parse("2026-09-30T00:00:00Z"), "sha256:v1")
                .created(
                        "req_1",
                        Instant.parse("2026-10-02T10:00:00Z"),
                        "reporter",
                        null,
                        "db.query",
                        "db/x",
                        "allow",
                        "reads");
        List<EvidencePackage.Cited> cited = history.events().stream()
                .map(event -> new EvidencePackage.Cited(event, List.of()))
                .toList();
        Map<String, byte[]> files = EvidencePackage.assemble(
                period, cited, new LogHead("o", cited.size(), "r", "k", 0, cited.size(), cited.size()), "note\n");

        assertThat(documented).as("files in docs/evidence.md's table").isEqualTo(new TreeSet<>(files.keySet()));
        Matcher counts = COUNT.matcher(doc);
        int stated = 0;
        while (counts.find()) {
            assertThat(Integer.parseInt(counts.group(1)))
                    .as("'%s' in docs/evidence.md", counts.group())
                    .isEqualTo(files.size());
            stated++;
        }
        assertThat(stated).as("file counts stated in the doc").isPositive();
    }

    private static Path repositoryFile(String name) {
        for (Path candidate : List.of(Path.of(name), Path.of("..").resolve(name))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(name + " not found from " + Path.of("").toAbsolutePath());
    }
}
