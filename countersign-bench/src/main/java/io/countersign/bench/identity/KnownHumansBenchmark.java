package io.countersign.bench.identity;

import io.countersign.identity.CredentialStore;
import io.countersign.identity.Human;
import io.countersign.identity.Person;
import io.countersign.identity.PersonName;
import io.countersign.identity.StoredCredential;
import io.countersign.server.identity.HumanDirectory;
import io.countersign.store.sqlite.SqliteStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Resolving an {@code onBehalfOf} against 1,000 known humans, as the gateway does at every
 * submission, through the {@link HumanDirectory}. The first four read the credentials from a list
 * the SQLite store gave once ({@link ListedOnce}), so they measure the work of resolving, which is
 * what issue #17 is about; {@link #resolveExactEmailReadingTheStore} is the same call reading the
 * store each time, as a request does, and {@link #listCredentialsFloor} is that read alone.
 * {@link #resolveConfusableSpelling} sends a spelling that only the character-at-a-time reading
 * matches (no whole-spelling skeleton of it is the person's); {@link #newHumanConfusableWith} is
 * the check {@code countersign humans create} and an OIDC sign-in make for a new human.
 *
 * <pre>java -jar countersign-bench/target/benchmarks.jar KnownHumansBenchmark -f 1 -wi 3 -i 5 -w 2s -r 2s</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KnownHumansBenchmark {
    static final int HUMANS = 1_000;
    private static final List<String> FIRST = List.of(
            "james",
            "mary",
            "robert",
            "patricia",
            "john",
            "jennifer",
            "michael",
            "linda",
            "david",
            "elizabeth",
            "william",
            "barbara",
            "richard",
            "susan",
            "joseph",
            "jessica",
            "thomas",
            "sarah",
            "priya",
            "wei",
            "mohammed",
            "fatima",
            "olga",
            "kenji",
            "abigail");
    private static final List<String> LAST = List.of(
            "smith",
            "johnson",
            "williams",
            "brown",
            "jones",
            "garcia",
            "miller",
            "davis",
            "rodriguez",
            "martinez",
            "hernandez",
            "lopez",
            "gonzalez",
            "wilson",
            "anderson",
            "thomas",
            "taylor",
            "moore",
            "jackson",
            "martin",
            "lee",
            "sharma",
            "nakamura",
            "ibbotson",
            "kowalski",
            "okafor",
            "novak",
            "schmidt",
            "rossi",
            "dubois");
    private static final List<String> DOMAINS = List.of("example.com", "corp.example", "eu.example.org");

    private Path data;
    private SqliteStore store;
    private HumanDirectory directory;
    private HumanDirectory readingTheStore;
    private String exactEmail;
    private String confusableSpelling;
    private String unknown;
    private Person newHuman;

    @Setup
    public void setUp() throws IOException {
        data = Files.createTempDirectory("countersign-known-humans-");
        store = SqliteStore.open(data);
        List<Human> humans = humans();
        Instant created = Instant.parse("2026-01-05T09:00:00Z");
        for (int i = 0; i < humans.size(); i++) {
            store.create(new StoredCredential("h" + i, humans.get(i), "b".repeat(64), created));
        }
        readingTheStore = new HumanDirectory(store, Clock.systemUTC());
        directory = new HumanDirectory(new ListedOnce(store), Clock.systemUTC());
        Human priya = find(humans, "priya.sharma");
        exactEmail = priya.email();
        // Ƅ (U+0184) reads as b only unfolded, I as i only folded: the character-at-a-time reading is
        // the only one that finds abigail.ibbotson here, and the spelling passes the submission gate.
        Human abigail = find(humans, "abigail.ibbotson");
        confusableSpelling = abigail.email().toUpperCase(Locale.ROOT).replace('B', '\u0184');
        PersonName.parse(confusableSpelling);
        unknown = "quentin.zielinski@elsewhere.example";
        newHuman = new Person("quentin zielinski", "quentin.zielinski@corp.example");
        // Fail fast if a change made the benchmark measure something else.
        expect(
                directory.persons().size() == HUMANS,
                "the directory lists " + directory.persons().size() + " persons");
        expect(
                directory.resolve(exactEmail).equals(Optional.of(priya.person())),
                exactEmail + " resolves to " + directory.resolve(exactEmail));
        expect(
                directory.resolve(confusableSpelling).equals(Optional.of(abigail.person())),
                confusableSpelling + " resolves to " + directory.resolve(confusableSpelling));
        expect(directory.resolve(unknown).isEmpty(), unknown + " resolves to " + directory.resolve(unknown));
        expect(
                readingTheStore.resolve(exactEmail).equals(Optional.of(priya.person())),
                exactEmail + " resolves to " + readingTheStore.resolve(exactEmail) + " reading the store");
        expect(
                directory.confusableWith(newHuman).isEmpty(),
                newHuman + " is confusable with " + directory.confusableWith(newHuman));
    }

    @TearDown
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(data)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Benchmark
    public Optional<Person> resolveExactEmail() {
        return directory.resolve(exactEmail);
    }

    @Benchmark
    public Optional<Person> resolveConfusableSpelling() {
        return directory.resolve(confusableSpelling);
    }

    @Benchmark
    public Optional<Person> resolveUnknown() {
        return directory.resolve(unknown);
    }

    @Benchmark
    public List<Person> newHumanConfusableWith() {
        return directory.confusableWith(newHuman);
    }

    @Benchmark
    public Optional<Person> resolveExactEmailReadingTheStore() {
        return readingTheStore.resolve(exactEmail);
    }

    @Benchmark
    public List<StoredCredential> listCredentialsFloor() {
        return store.list();
    }

    /** 1,000 distinct people, {@code first.last} (a number after the second time a pair comes round). */
    static List<Human> humans() {
        return Stream.iterate(0, i -> i + 1)
                .limit(HUMANS)
                .map(i -> {
                    String first = FIRST.get(i % FIRST.size());
                    String last = LAST.get((i / FIRST.size()) % LAST.size());
                    int round = i / (FIRST.size() * LAST.size());
                    String local = first + "." + last + (round == 0 ? "" : Integer.toString(round + 1));
                    String name = capitalised(first) + " " + capitalised(last) + (round == 0 ? "" : " " + (round + 1));
                    String email = local + "@" + DOMAINS.get(i % DOMAINS.size());
                    return new Human(name, email, Set.of(i % 7 == 0 ? "approvers" : "engineering"));
                })
                .toList();
    }

    /**
     * The store, except that {@link #list} answers with what the store listed when this was made:
     * the credentials as the directory would read them, without the cost of reading them.
     */
    private static final class ListedOnce implements CredentialStore {
        private final CredentialStore store;
        private final List<StoredCredential> listed;
        private final long changes;

        ListedOnce(CredentialStore store) {
            this.store = store;
            this.changes = store.credentialChanges();
            this.listed = store.list();
        }

        @Override
        public void create(StoredCredential credential) {
            store.create(credential);
        }

        @Override
        public Optional<StoredCredential> findByTokenId(String tokenId) {
            return store.findByTokenId(tokenId);
        }

        @Override
        public long credentialChanges() {
            return changes; // what it lists never changes
        }

        @Override
        public List<StoredCredential> list() {
            return listed;
        }

        @Override
        public int revokeAgent(String name, Instant at) {
            return store.revokeAgent(name, at);
        }

        @Override
        public int revokeHuman(String name, Instant at) {
            return store.revokeHuman(name, at);
        }

        @Override
        public int changeHumanGroups(String name, Set<String> groups) {
            return store.changeHumanGroups(name, groups);
        }

        @Override
        public void touch(String tokenId, Instant at) {
            store.touch(tokenId, at);
        }
    }

    private static Human find(List<Human> humans, String local) {
        return humans.stream()
                .filter(human -> human.email().startsWith(local + "@"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no human " + local + " among the benchmark's"));
    }

    private static String capitalised(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    private static void expect(boolean holds, String otherwise) {
        if (!holds) {
            throw new IllegalStateException(otherwise);
        }
    }
}
