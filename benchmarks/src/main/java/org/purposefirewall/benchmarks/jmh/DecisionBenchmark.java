package org.purposefirewall.benchmarks.jmh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.policy.ActiveRegistration;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.Outcome;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.PurposePolicy;
import org.purposefirewall.policy.RecordFacts;

/**
 * Single-thread cost of the firewall's per-record work: normalize the identifier (hashing it if it arrives raw),
 * build the record's facts and decide. It is what one core can do for one stream thread, without Kafka, Avro or
 * the state stores; {@code FirewallBenchmark} measures the whole topology. A separate program, never run by the
 * tests: {@code scripts/benchmark-decisions.sh} (JMH options such as {@code -wi 3 -i 5 -f 1} pass through).
 *
 * <p>Benchmarks (operations per second, one operation = one record):
 * <ul>
 *   <li>{@link #decidePreNormalized}: the identifier arrives as a 64-hex SHA-256 digest of a normalized email
 *       (already hashed by the producer); normalization only recognises the digest and lower-cases it, no hashing
 *       and no parsing. Then facts and decision. The target is 1M/s for this one.</li>
 *   <li>{@link #decideRawEmail}: a raw email ({@code User.N@Example.com}): NFKC, lower-casing, IDN of the domain, and
 *       three digests (SHA-256, SHA-1, MD5, the default {@code match-hash-forms}) of its one spelling (no tag, not
 *       Gmail), then the decision.</li>
 *   <li>{@link #decideRawPhone}: a raw phone number in one of four spellings, interleaved
 *       ({@code +1 (415) 555-NNNN}, {@code +44 20 7946 NNNN}, {@code 0049 30 1234NNNN}, and the national
 *       {@code (212) 555-NNNN} read in the default region US), with the phone-number cache off, as for a number
 *       seen for the first time: libphonenumber parse, possibility check and E.164 formatting (the national spelling
 *       is also parsed as international, as ad platforms write numbers without '+'), then six digests (E.164 and its
 *       digits without '+', each in three forms) and the decision.</li>
 *   <li>{@link #decideRawPhoneCached}: the same with the shipped phone-number cache (65,536 slots, more than the
 *       inputs), as for numbers seen before: the separators and digits are still read, then one cache hit replaces
 *       parsing and hashing.</li>
 *   <li>{@link #decideRawPhoneSha256Only}: the same phones, uncached, with {@code match-hash-forms} = {SHA-256}; the
 *       difference to {@link #decideRawPhone} is the cost of the SHA-1 and MD5 keys.</li>
 *   <li>{@link #normalizeRawPhoneOnly}: the phones' normalization, uncached (parse and six digests), without the
 *       decision.</li>
 *   <li>{@link #hashPhoneKeysOnly}: the digests alone ({@link MatchKeys#ofSpellings}) of the same numbers' two
 *       spellings (E.164, and its digits without '+') in the three forms; {@link #normalizeRawPhoneOnly} minus this
 *       is the cost of reading the number (NFKC, separators, libphonenumber).</li>
 *   <li>{@link #decideOnly}: {@link PurposePolicy#decide} alone over prebuilt facts; the floor under every other
 *       benchmark.</li>
 * </ul>
 *
 * <p>Each benchmark cycles through {@value #INPUTS} distinct inputs, built once per trial, so no result can be
 * cached or constant-folded; every result goes to a {@link Blackhole}. The records' context is fixed per input
 * index and the same in every benchmark: every record declares the policy's ad purpose; 1 in 16 identifiers has a
 * security registration (QUARANTINE, rule {@code restricted.registered}), 1 in 16 a non-restricted marketing
 * registration, 1 in 16 users has no consent state (SUPPRESS, {@code consent.missing}), and all the others have a
 * grant on {@code marketing.advertising} (FORWARD: 14 in 16 records). The registrations and consent are what the topology would have
 * read from its stores; the store look-ups, the Avro decoding of the record and the parsing of its declared purposes
 * are not measured here.
 *
 * <p>Defaults: one fork, one thread, 3 warm-up and 5 measured iterations of 1 s; override on the command line.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(1)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@State(Scope.Thread)
public class DecisionBenchmark {

    /** Distinct inputs per benchmark; a power of two, so the cursor wraps with a mask. */
    static final int INPUTS = 4096;
    private static final int MASK = INPUTS - 1;

    /** The default region national phone numbers are read in. */
    static final String REGION = "US";

    private static final long EVENT_TIME = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    /** The shipped defaults: every hash form, the phone-number cache on. */
    private IdentifierNormalizer.Configured allForms;
    /** Every hash form, no phone-number cache: every number is parsed as if seen for the first time. */
    private IdentifierNormalizer.Configured uncached;
    private IdentifierNormalizer.Configured sha256Only;
    private Policy policy;

    private String[] sha256Inputs;
    private String[] emailInputs;
    private String[] phoneInputs;
    /** The E.164 form of each of {@link #phoneInputs}. */
    private String[] phoneCanonical;

    private List<Purpose>[] declared;
    private long[] eventTimes;
    private Optional<ConsentSnapshot>[] consents;
    private List<ActiveRegistration>[] registrations;
    private RecordFacts[] facts;

    private int cursor;

    @Setup(Level.Trial)
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void setUp() {
        allForms = IdentifierNormalizer.of(new IdentityOptions(REGION, false));
        uncached = IdentifierNormalizer.of(new IdentityOptions(REGION, false, IdentityOptions.ALL_HASH_FORMS, 0));
        sha256Only = IdentifierNormalizer.of(new IdentityOptions(REGION, false, Set.of(HashForm.SHA256), 0));
        Purpose adPurpose = Purpose.parse("marketing.advertising.third_party.targeted");
        policy = new Policy("bench", adPurpose, List.of(Purpose.parse("essential.service.security")));

        Optional<ConsentSnapshot> granted = Optional.of(new ConsentSnapshot(
                Map.of(Purpose.parse("marketing.advertising"), ConsentChoice.GRANTED), false, false));
        List<ActiveRegistration> security = List.of(new ActiveRegistration(
                Purpose.parse("essential.service.security.authentication"), "auth-service", EVENT_TIME - 86_400_000L));
        List<ActiveRegistration> marketing = List.of(new ActiveRegistration(
                Purpose.parse("marketing.email.newsletter"), "crm", EVENT_TIME - 86_400_000L));
        List<Purpose> declaredAd = List.of(adPurpose);

        sha256Inputs = new String[INPUTS];
        emailInputs = new String[INPUTS];
        phoneInputs = new String[INPUTS];
        phoneCanonical = new String[INPUTS];
        declared = new List[INPUTS];
        eventTimes = new long[INPUTS];
        consents = new Optional[INPUTS];
        registrations = new List[INPUTS];
        facts = new RecordFacts[INPUTS];
        for (int i = 0; i < INPUTS; i++) {
            emailInputs[i] = "User." + i + "@Example.com";
            sha256Inputs[i] = HashForm.SHA256.hex("user." + i + "@example.com");
            phoneInputs[i] = phone(i);
            phoneCanonical[i] = e164(i);
            declared[i] = declaredAd;
            eventTimes[i] = EVENT_TIME + i;
            consents[i] = i % 16 == 2 ? Optional.empty() : granted;
            registrations[i] = switch (i % 16) {
                case 0 -> security;
                case 1 -> marketing;
                default -> List.of();
            };
            facts[i] = new RecordFacts(declared[i], eventTimes[i], false);
        }
        check();
    }

    /** A phone number in one of four spellings, all possible numbers, {@code i} giving the last four digits. */
    private static String phone(int i) {
        String last = String.format("%04d", i);
        return switch (i % 4) {
            case 0 -> "+1 (415) 555-" + last;
            case 1 -> "+44 20 7946 " + last;
            case 2 -> "0049 30 1234" + last;
            default -> "(212) 555-" + last;
        };
    }

    /** The E.164 form of {@link #phone(int) phone(i)}. */
    private static String e164(int i) {
        String last = String.format("%04d", i);
        return switch (i % 4) {
            case 0 -> "+1415555" + last;
            case 1 -> "+44207946" + last;
            case 2 -> "+49301234" + last;
            default -> "+1212555" + last;
        };
    }

    /** Fails the trial if an input does not normalize or the outcomes are not the mix the class comment states. */
    private void check() {
        List<String> problems = new ArrayList<>();
        int[] outcomes = new int[Outcome.values().length];
        for (int i = 0; i < INPUTS; i++) {
            requireOk(allForms.normalize(IdentifierKind.EMAIL, sha256Inputs[i]), true, "sha256", i, problems);
            requireOk(allForms.normalize(IdentifierKind.EMAIL, emailInputs[i]), false, "email", i, problems);
            Normalization phone = allForms.normalize(IdentifierKind.PHONE, phoneInputs[i]);
            requireOk(phone, false, "phone", i, problems);
            if (phone instanceof Normalization.Ok ok && !ok.keys().equals(phoneKeys(phoneCanonical[i]))) {
                problems.add("phone input " + i + " is not the E.164 number the keys-only benchmark hashes");
            }
            requireOk(sha256Only.normalize(IdentifierKind.PHONE, phoneInputs[i]), false, "phone (SHA-256)", i,
                    problems);
            outcomes[PurposePolicy.decide(policy, facts[i], consents[i], registrations[i]).outcome().ordinal()]++;
        }
        int quarantined = INPUTS / 16;
        int suppressed = INPUTS / 16;
        if (outcomes[Outcome.QUARANTINE.ordinal()] != quarantined || outcomes[Outcome.SUPPRESS.ordinal()] != suppressed
                || outcomes[Outcome.FORWARD.ordinal()] != INPUTS - quarantined - suppressed) {
            problems.add("unexpected outcome mix (FORWARD, QUARANTINE, SUPPRESS): " + Arrays.toString(outcomes));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("benchmark inputs are not as intended: "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
        }
    }

    private static void requireOk(Normalization result, boolean hashed, String what, int i, List<String> problems) {
        if (!(result instanceof Normalization.Ok ok)) {
            problems.add(what + " input " + i + " does not normalize: " + ((Normalization.Invalid) result).detail());
        } else if (ok.arrivedHashed() != hashed) {
            problems.add(what + " input " + i + (hashed ? " was hashed" : " was not recognised as a digest"));
        }
    }

    /** One record: normalize, take the match key the stores are keyed by, build the facts, decide. */
    private Decision decideRecord(IdentifierNormalizer.Configured normalizer, IdentifierKind kind, String input, int i,
                                  Blackhole bh) {
        Normalization result = normalizer.normalize(kind, input);
        if (!(result instanceof Normalization.Ok ok)) {
            throw new IllegalStateException("input " + i + " does not normalize");
        }
        bh.consume(ok.sha256Hex());
        RecordFacts recordFacts = new RecordFacts(declared[i], eventTimes[i], ok.limitAdTracking());
        return PurposePolicy.decide(policy, recordFacts, consents[i], registrations[i]);
    }

    private int next() {
        int i = cursor;
        cursor = (i + 1) & MASK;
        return i;
    }

    @Benchmark
    public void decidePreNormalized(Blackhole bh) {
        int i = next();
        bh.consume(decideRecord(allForms, IdentifierKind.EMAIL, sha256Inputs[i], i, bh));
    }

    @Benchmark
    public void decideRawEmail(Blackhole bh) {
        int i = next();
        bh.consume(decideRecord(allForms, IdentifierKind.EMAIL, emailInputs[i], i, bh));
    }

    @Benchmark
    public void decideRawPhone(Blackhole bh) {
        int i = next();
        bh.consume(decideRecord(uncached, IdentifierKind.PHONE, phoneInputs[i], i, bh));
    }

    @Benchmark
    public void decideRawPhoneCached(Blackhole bh) {
        int i = next();
        bh.consume(decideRecord(allForms, IdentifierKind.PHONE, phoneInputs[i], i, bh));
    }

    @Benchmark
    public void decideRawPhoneSha256Only(Blackhole bh) {
        int i = next();
        bh.consume(decideRecord(sha256Only, IdentifierKind.PHONE, phoneInputs[i], i, bh));
    }

    @Benchmark
    public void normalizeRawPhoneOnly(Blackhole bh) {
        bh.consume(uncached.normalize(IdentifierKind.PHONE, phoneInputs[next()]));
    }

    @Benchmark
    public void hashPhoneKeysOnly(Blackhole bh) {
        bh.consume(phoneKeys(phoneCanonical[next()]));
    }

    /** The keys a raw phone number gets: its E.164 form and its digits without '+', each in every form. */
    private static MatchKeys phoneKeys(String e164) {
        return MatchKeys.ofSpellings(List.of(e164, e164.substring(1)), IdentityOptions.ALL_HASH_FORMS);
    }

    @Benchmark
    public void decideOnly(Blackhole bh) {
        int i = next();
        bh.consume(PurposePolicy.decide(policy, facts[i], consents[i], registrations[i]));
    }
}
