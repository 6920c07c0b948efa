package org.purposefirewall.policy;

import java.util.List;
import java.util.Objects;

/**
 * The purposes a policy knows, from the policy's {@code known-purposes}: a purpose is known if it lies within one of
 * the roots (is a root or below one, by whole segments, as {@link Purpose#isWithin} says). Anything else is unknown,
 * however well-formed: a typo ({@code marketing.advertsing}), a purpose from another taxonomy, or a new one nobody
 * has reviewed. The firewall never forwards on the strength of an unknown purpose:
 * <ul>
 *   <li>a record that <em>declares</em> an unknown purpose is suppressed ({@link Reason#PURPOSE_UNKNOWN});</li>
 *   <li>a consent <em>grant</em> on an unknown purpose grants nothing, while a <em>denial</em> on one still denies
 *       wherever it overlaps the ad purpose (an unknown word may narrow consent, never widen it);</li>
 *   <li>a <em>registration</em> for an unknown purpose is stored and applied like any other: it is restricted if a
 *       restricted purpose covers it, and otherwise, like any unrestricted registration, changes nothing.</li>
 * </ul>
 * Only well-formed purposes get this far: text that is not a dotted purpose is dead-lettered
 * ({@code INVALID_PURPOSE}) before the policy sees it.
 *
 * <p>The roots are prefixes, not a closed list of leaves, so a root also admits purposes below it that the taxonomy
 * document does not list ({@code marketing.advertising.third_party.targeted.email}); a purpose <em>above</em> a
 * root is unknown ({@code marketing} with the single root {@code marketing.advertising}).
 *
 * @param roots the known subtrees; at least one
 */
public record Taxonomy(List<Purpose> roots) {

    /**
     * The top-level data uses of fideslang's default taxonomy (its {@code DEFAULT_DATA_USES}): every
     * purpose of that taxonomy, and so everything the shipped policy, the TCF mapping and the sample traffic use.
     */
    public static final List<String> FIDESLANG_DATA_USES = List.of("analytics", "collect", "employment", "essential",
            "finance", "functional", "marketing", "operations", "personalize", "sales", "third_party_sharing",
            "train_ai_system");

    private static final Taxonomy FIDESLANG = new Taxonomy(FIDESLANG_DATA_USES.stream().map(Purpose::new).toList());

    public Taxonomy {
        roots = List.copyOf(Objects.requireNonNull(roots, "roots"));
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("known-purposes must name at least one purpose");
        }
    }

    /** The default: fideslang's top-level data uses ({@link #FIDESLANG_DATA_USES}). */
    public static Taxonomy fideslang() {
        return FIDESLANG;
    }

    /** True if {@code purpose} is a root or lies below one. */
    public boolean knows(Purpose purpose) {
        for (Purpose root : roots) {
            if (purpose.isWithin(root)) {
                return true;
            }
        }
        return false;
    }
}
