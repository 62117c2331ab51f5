package io.countersign.server;

import static io.countersign.server.Http.json;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.identity.IdentityConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The SOC 2 evidence package over a scenario with every way a request ends (allowed, approved,
 * denied by a human and by policy, expired, break-glass, a failed execution), one request before
 * the period and one after: the package holds exactly the period's, verifies offline, and any
 * changed byte in any file fails verification naming that file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvidenceExportTest {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Path directory;

    private TestGateway gateway;
    private String reporter;
    private String auditor;
    private String key;
    private Instant from;
    private Instant to;
    private String before;
    private String after;
    private final Map<String, String> inPeriod = new LinkedHashMap<>();
    private Path zip;

    @BeforeAll
    void runTheScenario(@TempDir Path temporary) throws Exception {
        directory = temporary;
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly()
                        .withRoles(Set.of("admins"), Set.of("auditors"))
                        .withBreakGlassGroup("incident-commanders"),
                "/evidence-policy.yaml");
        reporter = gateway.agent("reporter");
        auditor = gateway.human("aude", "auditors");
        String olga = gateway.human("olga", "data-owners");
        String commander = gateway.human("ic", "sre", "incident-commanders");
        String rita = gateway.human("rita", "security");

        before = submit("db.query", "db/prod/customers", null).path("id").asString();
        Thread.sleep(20);
        from = Instant.now();

        JsonNode allowed = submit("db.query", "db/prod/orders", null);
        assertThat(execute(
                                allowed.path("id").asString(),
                                allowed.path("grant").path("token").asString(),
                                "succeeded")
                        .status())
                .isEqualTo(200);
        inPeriod.put(allowed.path("id").asString(), "approved"); // by the policy: effect allow

        String approved =
                submit("db.export", "db/prod/customers", null).path("id").asString();
        assertThat(gateway.http
                        .post("/v1/actions/" + approved + "/approve", rita, json("comment", "looks fine"))
                        .status())
                .as("rita is not a data owner")
                .isEqualTo(403);
        assertThat(gateway.http
                        .post("/v1/actions/" + approved + "/approve", olga, json("comment", "ok"))
                        .status())
                .isEqualTo(200);
        String grant = gateway.http
                .get("/v1/actions/" + approved, reporter)
                .json()
                .path("grant")
                .path("token")
                .asString();
        assertThat(execute(approved, grant, "failed").status()).isEqualTo(200);
        inPeriod.put(approved, "approved");

        String denied = submit("db.export", "db/prod/payroll", null).path("id").asString();
        assertThat(gateway.http
                        .post("/v1/actions/" + denied + "/deny", olga, json("comment", "not payroll"))
                        .status())
                .isEqualTo(200);
        inPeriod.put(denied, "denied");

        inPeriod.put(submit("iam.grant", "iam/roles/admin", null).path("id").asString(), "denied");

        String expiring = submit("demo.expire", "demo/x", null).path("id").asString();
        inPeriod.put(expiring, "expired");

        String emergency =
                submit("incident.mitigate", "prod/api", "ic").path("id").asString();
        Response broken = gateway.http.post(
                "/v1/actions/" + emergency + "/approve",
                commander,
                json("breakGlass", true, "reason", "prod is down, SEV1"));
        assertThat(broken.status()).as(broken.body()).isEqualTo(200);
        assertThat(gateway.http
                        .post("/v1/actions/" + emergency + "/review", rita, json("comment", "reviewed"))
                        .status())
                .isEqualTo(200);
        inPeriod.put(emergency, "approved");

        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!gateway.http
                .get("/v1/actions/" + expiring, reporter)
                .text("status")
                .equals("expired")) {
            assertThat(System.nanoTime()).as("the request expires").isLessThan(deadline);
            Thread.sleep(100);
        }
        Thread.sleep(5);
        to = Instant.now();
        Thread.sleep(20);
        after = submit("db.query", "db/prod/later", null).path("id").asString();

        key = gateway.http.get("/v1/audit/key", null).body();
        HttpResponse<byte[]> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create(gateway.baseUrl() + "/v1/evidence?from=" + from + "&to=" + to))
                                .header("Authorization", "Bearer " + auditor)
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(answer.statusCode()).as(new String(answer.body(), UTF_8)).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/zip");
        zip = directory.resolve("evidence.zip");
        Files.write(zip, answer.body());
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    private JsonNode submit(String action, String resource, String onBehalfOf) {
        String body = onBehalfOf == null
                ? json("action", action, "resource", resource, "reason", "quarterly report")
                : json("action", action, "resource", resource, "reason", "page 1234", "onBehalfOf", onBehalfOf);
        Response answer = gateway.http.post("/v1/actions", reporter, body);
        assertThat(answer.status()).as(answer.body()).isIn(200, 202, 403);
        return answer.json();
    }

    private Response execute(String id, String grant, String outcome) {
        return gateway.http.post(
                "/v1/actions/" + id + "/execution", reporter, json("grant", grant, "outcome", outcome));
    }

    private Cli.Run verify(Path file) {
        return Cli.run(
                "audit",
                "verify",
                "--export",
                file.toString(),
                "--key",
                key,
                "--state",
                directory.resolve("verifier-state").toString());
    }

    @Test
    void package_holdsEveryRequestOfThePeriod_andNothingElse() throws IOException {
        Map<String, byte[]> files = read(zip);
        List<JsonNode> rows = new String(files.get("population.jsonl"), UTF_8)
                .lines()
                .map(MAPPER::readTree)
                .toList();

        assertThat(rows).extracting(row -> row.path("request").asString()).containsExactlyElementsOf(inPeriod.keySet());
        assertThat(rows).extracting(row -> row.path("status").asString()).containsExactlyElementsOf(inPeriod.values());
        String csv = new String(files.get("population.csv"), UTF_8);
        assertThat(csv).doesNotContain(before).doesNotContain(after);
        assertThat(csv.lines()).hasSize(inPeriod.size() + 1);
        assertThat(rows)
                .extracting(row -> row.path("effect").asString())
                .containsExactly(
                        "allow",
                        "require_approval",
                        "require_approval",
                        "deny",
                        "require_approval",
                        "require_approval");
        assertThat(rows)
                .allSatisfy(row -> assertThat(row.path("auditSeqs").size()).isGreaterThanOrEqualTo(2));
        JsonNode approved = rows.get(1);
        assertThat(approved.path("votes").get(0).path("voter").asString()).isEqualTo("olga");
        assertThat(approved.path("votes").get(0).path("channel").asString()).isEqualTo("api");
        assertThat(approved.path("outcome").asString()).isEqualTo("failed");
        assertThat(approved.path("policyVersion").asString()).isNotEmpty();
    }

    @Test
    void aVoteTheRuleRefused_isInTheRefusedVotes_withItsChannelAndReason() throws IOException {
        String refused = new String(read(zip).get("refused-votes.csv"), UTF_8);
        String approved = List.copyOf(inPeriod.keySet()).get(1);

        assertThat(refused.lines()).hasSize(2);
        assertThat(refused.lines().skip(1).findFirst().orElseThrow())
                .contains(approved)
                .contains(",rita,rita@example.com,approve,api,pending,");
    }

    @Test
    void thePolicyInForce_isInThePackageInFull() throws IOException {
        Map<String, byte[]> files = read(zip);
        String policy = new String(
                getClass().getResourceAsStream("/evidence-policy.yaml").readAllBytes(), UTF_8);

        assertThat(files.keySet())
                .filteredOn(name -> name.startsWith("policies/"))
                .singleElement()
                .satisfies(name -> {
                    assertThat(name).endsWith(".yaml");
                    assertThat(new String(files.get(name), UTF_8)).isEqualTo(policy);
                });
        assertThat(new String(files.get("policy-changes.csv"), UTF_8).lines()).hasSize(1);
    }

    @Test
    void package_reportsSeparationOfDuties_breakGlassReviews_exceptions_policies_andTimings() throws IOException {
        Map<String, byte[]> files = read(zip);
        List<String> ids = List.copyOf(inPeriod.keySet());

        String sod = new String(files.get("sod.csv"), UTF_8);
        assertThat(sod.lines()).hasSize(3);
        assertThat(sod)
                .contains(ids.get(1) + ",reporter,,,olga,olga@example.com,\"separated: 1 approver(s)")
                .contains("break-glass by ic (review acknowledged by rita at ")
                .doesNotContain("VIOLATION");
        assertThat(new String(files.get("break-glass.csv"), UTF_8))
                .contains(ids.get(5) + ",incident.mitigate,prod/api,ic,")
                .contains("\"prod is down, SEV1\",acknowledged,rita,");
        String exceptions = new String(files.get("exceptions.csv"), UTF_8);
        assertThat(exceptions)
                .contains(",denied," + ids.get(2))
                .contains(",denied by policy," + ids.get(3))
                .contains(",expired," + ids.get(4))
                .contains(",break-glass," + ids.get(5))
                .contains(",execution failed," + ids.get(1));
        assertThat(new String(files.get("policies.csv"), UTF_8))
                .contains("policy.loaded")
                .contains("policy.yaml,system");
        JsonNode stats = MAPPER.readTree(files.get("stats.json"));
        assertThat(stats.path("timeToDecision").path("decidedByHumans").asInt()).isEqualTo(3);
        assertThat(stats.path("expired").asInt()).isEqualTo(1);
        assertThat(stats.path("outcomes").path("allowed").asInt()).isEqualTo(1);
        JsonNode controls = MAPPER.readTree(files.get("control-map.json")).path("controls");
        assertThat(controls)
                .extracting(c -> c.path("id").asString())
                .containsExactly("CC6.1", "CC6.2", "CC6.3", "CC7.2", "CC8.1");
        String html = new String(files.get("summary.html"), UTF_8);
        assertThat(html).contains("<svg").contains("Separation of duties").doesNotContain("<script", "<link", "src=");
        assertThat(files)
                .containsKeys(
                        "manifest.json",
                        "log/entries.jsonl",
                        "log/inclusion-proofs.jsonl",
                        "log/checkpoint.txt",
                        "log/key.txt");
    }

    @Test
    void package_verifiesOffline_withTheLogsKey() {
        Cli.Run run = verify(zip);

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("verified: evidence package for " + from + " to " + to);
    }

    @Test
    void apiExport_isRecordedInTheLog_byWhoPulledIt_withTheManifestsHash() throws IOException {
        String manifestHash = io.countersign.server.evidence.EvidencePackageTestAccess.sha256(
                read(zip).get("manifest.json"));

        List<JsonNode> exports = gateway.http
                .get("/v1/audit/entries", gateway.auditor())
                .body()
                .lines()
                .map(MAPPER::readTree)
                .filter(entry -> entry.path("type").asString().equals("evidence.exported"))
                .toList();

        assertThat(exports).anySatisfy(entry -> {
            assertThat(entry.path("actor").asString()).isEqualTo("human:aude");
            assertThat(entry.path("data").path("manifestSha256").asString()).isEqualTo(manifestHash);
            assertThat(entry.path("data").path("from").asString()).isEqualTo(from.toString());
        });
    }

    @Test
    void package_fromTheCommandLine_holdsTheSameFiles_verifies_andIsRecordedForTheNamedHuman() throws IOException {
        Cli.Run otto = Cli.run(
                "humans",
                "create",
                "otto",
                "--email",
                "otto@example.com",
                "--role",
                "auditor",
                "--data",
                gateway.data().toString());
        assertThat(otto.exitCode()).as(otto.all()).isZero();
        Path out = directory.resolve("cli-evidence.zip");

        Cli.Run export = cliExport(out, "otto");

        assertThat(export.exitCode()).as(export.all()).isZero();
        assertThat(export.out()).contains("exported " + inPeriod.size() + " requests");
        assertThat(verify(out).exitCode()).as(verify(out).all()).isZero();
        assertThat(read(out).get("population.csv")).isEqualTo(read(zip).get("population.csv"));
        String manifestHash = io.countersign.server.evidence.EvidencePackageTestAccess.sha256(
                read(out).get("manifest.json"));
        assertThat(exportsInTheLog()).anySatisfy(entry -> {
            assertThat(entry.path("actor").asString()).isEqualTo("human:otto");
            assertThat(entry.path("data").path("via").asString()).isEqualTo("cli");
            assertThat(entry.path("data").path("manifestSha256").asString()).isEqualTo(manifestHash);
            assertThat(entry.path("data").path("to").asString()).isEqualTo(to.toString());
        });
    }

    @Test
    void commandLine_refusesAnExportAsSomeoneWhoIsNotALocalAdminOrAuditor_andRecordsNothing() {
        long exportsBefore = exportsInTheLog().size();

        Cli.Run nobody = cliExport(directory.resolve("nobody.zip"), "nobody");
        Cli.Run olga = cliExport(directory.resolve("olga.zip"), "olga");

        assertThat(nobody.exitCode()).as(nobody.all()).isEqualTo(1);
        assertThat(nobody.err()).contains("--as nobody: no local human of that name");
        assertThat(olga.exitCode()).as(olga.all()).isEqualTo(1);
        assertThat(olga.err()).contains("--as olga: needs the role admin or auditor");
        assertThat(directory.resolve("nobody.zip")).doesNotExist();
        assertThat(directory.resolve("olga.zip")).doesNotExist();
        assertThat(exportsInTheLog()).hasSize((int) exportsBefore);
    }

    @Test
    void commandLine_withoutAs_recordsTheExportForTheOperatingSystemUser() {
        Path out = directory.resolve("anonymous.zip");

        Cli.Run export = cliExport(out);

        assertThat(export.exitCode()).as(export.all()).isZero();
        assertThat(exportsInTheLog())
                .anySatisfy(entry ->
                        assertThat(entry.path("actor").asString()).isEqualTo("cli:" + System.getProperty("user.name")));
    }

    /** {@code evidence export} of the period from the gateway's data folder, with {@code --as} and its name when given. */
    private Cli.Run cliExport(Path out, String... as) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "evidence",
                "export",
                "--from",
                from.toString(),
                "--to",
                to.toString(),
                "--out",
                out.toString(),
                "--data",
                gateway.data().toString()));
        if (as.length > 0) {
            args.add("--as");
            args.add(as[0]);
        }
        return Cli.run(args.toArray(String[]::new));
    }

    private List<JsonNode> exportsInTheLog() {
        return gateway.http
                .get("/v1/audit/entries", gateway.auditor())
                .body()
                .lines()
                .map(MAPPER::readTree)
                .filter(entry -> entry.path("type").asString().equals("evidence.exported"))
                .toList();
    }

    @Test
    void aChangedByteInAnyFile_failsVerification_namingTheFile() throws IOException {
        Map<String, byte[]> files = read(zip);
        assertThat(files).hasSizeGreaterThanOrEqualTo(16);
        for (String name : files.keySet()) {
            Map<String, byte[]> tampered = new LinkedHashMap<>(files);
            byte[] bytes = files.get(name).clone();
            int at = bytes.length / 2;
            bytes[at] = (byte) (bytes[at] == '7' ? '8' : '7');
            tampered.put(name, bytes);
            Path file = directory.resolve("tampered-" + name.replace('/', '-') + ".zip");
            write(tampered, file);

            Cli.Run run = verify(file);

            assertThat(run.exitCode()).as("%s changed: %s", name, run.all()).isEqualTo(1);
            assertThat(run.err()).as(name).startsWith("audit verify FAILED: " + name + ": ");
        }
    }

    @Test
    void aCsvResavedWithOtherLineEndings_failsVerification_sayingThatIsAllThatChanged() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>(read(zip));
        files.put(
                "population.csv",
                new String(files.get("population.csv"), UTF_8)
                        .replace("\r\n", "\n")
                        .getBytes(UTF_8));
        Path file = directory.resolve("resaved.zip");
        write(files, file);

        Cli.Run run = verify(file);

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err())
                .startsWith("audit verify FAILED: population.csv: differs from what the cited audit entries give only"
                        + " in its line endings (LF where the package wrote CRLF)");
    }

    @Test
    void aChangedFile_withTheManifestUpdatedToMatch_isStillCaught_becauseVerifyRebuildsIt() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>(read(zip));
        byte[] population = new String(files.get("population.csv"), UTF_8)
                .replace(",olga,", ",mallory,")
                .getBytes(UTF_8);
        String oldHash = io.countersign.server.evidence.EvidencePackageTestAccess.sha256(files.get("population.csv"));
        String newHash = io.countersign.server.evidence.EvidencePackageTestAccess.sha256(population);
        files.put("population.csv", population);
        files.put(
                "manifest.json",
                new String(files.get("manifest.json"), UTF_8)
                        .replace(oldHash, newHash)
                        .getBytes(UTF_8));
        Path file = directory.resolve("rewritten.zip");
        write(files, file);

        Cli.Run run = verify(file);

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err())
                .startsWith("audit verify FAILED: population.csv: is not what the cited audit entries give");
    }

    @Test
    void anEntryOfThePeriodLeftOut_failsVerification() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>(read(zip));
        List<String> entries =
                new String(files.get("log/entries.jsonl"), UTF_8).lines().toList();
        List<String> proofs = new String(files.get("log/inclusion-proofs.jsonl"), UTF_8)
                .lines()
                .toList();
        int drop = entries.size() / 2;
        files.put("log/entries.jsonl", lines(entries, drop));
        files.put("log/inclusion-proofs.jsonl", lines(proofs, drop));
        // An exporter hiding an entry would also fix the manifest's hashes: verify must not need them to notice.
        String manifest = new String(files.get("manifest.json"), UTF_8);
        for (String name : List.of("log/entries.jsonl", "log/inclusion-proofs.jsonl")) {
            manifest = manifest.replace(
                    io.countersign.server.evidence.EvidencePackageTestAccess.sha256(
                            read(zip).get(name)),
                    io.countersign.server.evidence.EvidencePackageTestAccess.sha256(files.get(name)));
        }
        files.put("manifest.json", manifest.getBytes(UTF_8));
        Path file = directory.resolve("gap.zip");
        write(files, file);

        Cli.Run run = verify(file);

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err())
                .startsWith("audit verify FAILED: log/entries.jsonl: entry ")
                .contains("is missing");
    }

    @Test
    void aPackageFromAnotherLogsKey_failsVerification_namingTheKeyFile() {
        String origin = key.substring(0, key.indexOf('+'));
        String otherKey =
                io.countersign.tlog.note.NoteSigner.generate(origin).verifier().format();

        Cli.Run run = Cli.run(
                "audit",
                "verify",
                "--export",
                zip.toString(),
                "--key",
                otherKey,
                "--state",
                directory.resolve("other-state").toString());

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err())
                .startsWith("audit verify FAILED: log/key.txt: holds '" + key + "', not the trusted key " + otherKey);
    }

    @Test
    void commandLine_refusesABadPeriod_andAFolderWithoutALog() {
        Cli.Run backwards = Cli.run(
                "evidence",
                "export",
                "--from",
                "2026-10-02",
                "--to",
                "2026-10-01",
                "--out",
                directory.resolve("x.zip").toString(),
                "--data",
                gateway.data().toString());
        Cli.Run empty = Cli.run(
                "evidence",
                "export",
                "--from",
                "2026-10-01",
                "--to",
                "2026-10-02",
                "--out",
                directory.resolve("y.zip").toString(),
                "--data",
                directory.resolve("nothing-here").toString());

        assertThat(backwards.exitCode()).isEqualTo(2);
        assertThat(backwards.err())
                .contains("the period is empty: from 2026-10-02T00:00:00Z is not before to 2026-10-01T00:00:00Z");
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.err()).contains("no Countersign database in");
        assertThat(directory.resolve("x.zip")).doesNotExist();
        assertThat(directory.resolve("y.zip")).doesNotExist();
    }

    @Test
    void evidence_isForAuditorsAndAdmins_only() {
        String hugo = gateway.human("hugo", "data-owners");
        String ada = gateway.human("ada", "admins");

        assertThat(gateway.http
                        .get("/v1/evidence?from=" + from + "&to=" + to, hugo)
                        .status())
                .isEqualTo(403);
        assertThat(gateway.http
                        .get("/v1/evidence?from=" + from + "&to=" + to, reporter)
                        .status())
                .isEqualTo(403);
        assertThat(gateway.http
                        .get("/v1/evidence?from=" + from + "&to=" + to, null)
                        .status())
                .isEqualTo(401);
        assertThat(gateway.http
                        .get("/v1/evidence?from=" + from + "&to=" + to, ada)
                        .status())
                .isEqualTo(200);
        Response bad = gateway.http.get("/v1/evidence?from=yesterday&to=" + to, auditor);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(bad.text("detail")).contains("from 'yesterday' is not a date");
    }

    private static byte[] lines(List<String> lines, int without) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i != without) {
                out.append(lines.get(i)).append('\n');
            }
        }
        return out.toString().getBytes(UTF_8);
    }

    static Map<String, byte[]> read(Path file) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                files.put(entry.getName(), in.readAllBytes());
            }
        }
        return files;
    }

    private static void write(Map<String, byte[]> files, Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : files.entrySet()) {
                out.putNextEntry(new ZipEntry(entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
        }
        Files.write(file, bytes.toByteArray());
    }
}
