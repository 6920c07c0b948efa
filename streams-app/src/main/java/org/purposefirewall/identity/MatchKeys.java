package org.purposefirewall.identity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The keys one identifier is matched by: the digest, in each {@link HashForm} that could be computed, of each
 * spelling an ad platform hashes it in.
 *
 * <p>A raw identifier has a key for every pair of spelling and enabled form. Its first spelling is the canonical one
 * (E.164 for a phone number, the trimmed, lower-cased address for an email), which is what the firewall forwards;
 * the others are the spellings ad platforms document for the same identifier, such as the phone number's digits
 * without the {@code +} (Meta, Snap, TikTok) or a Gmail address without the dots of its local part (Google, UID2).
 * A digest of any of them is the identifier to the platform that computes it, so a registration must be stored under
 * all of them: a digest cannot be turned back into another spelling.
 *
 * <p>An identifier that arrived already hashed has exactly one key, in the form it arrived in.
 *
 * @param all every key, those of the canonical spelling first, in {@link HashForm} order within a spelling; never
 *     empty, no key twice
 * @param arrivedAs the form the identifier arrived in, or null if it arrived raw
 */
public record MatchKeys(List<Key> all, HashForm arrivedAs) {

    /**
     * One match key.
     *
     * @param form the digest's form
     * @param hex the lowercase hex digest, {@link HashForm#hexLength()} digits
     */
    public record Key(HashForm form, String hex) {
        public Key {
            Objects.requireNonNull(form, "form");
            Objects.requireNonNull(hex, "hex");
            if (hex.length() != form.hexLength()) {
                throw new IllegalArgumentException("a " + form.algorithm() + " key has " + form.hexLength()
                        + " hex digits");
            }
        }
    }

    public MatchKeys {
        Objects.requireNonNull(all, "all");
        if (all.isEmpty()) {
            throw new IllegalArgumentException("an identifier has at least one match key");
        }
        all = List.copyOf(all);
        // A few dozen keys at most: a pairwise check costs less than building a set on every normalization (and,
        // written as loops, allocates nothing).
        for (int i = 1; i < all.size(); i++) {
            Key key = all.get(i);
            for (int j = 0; j < i; j++) {
                if (all.get(j).equals(key)) {
                    throw new IllegalArgumentException("an identifier has each match key once");
                }
            }
        }
        if (arrivedAs != null && (all.size() != 1 || all.get(0).form() != arrivedAs)) {
            throw new IllegalArgumentException("a hashed identifier has exactly the key of its own form");
        }
        if (arrivedAs == null && all.get(0).form() != HashForm.SHA256) {
            throw new IllegalArgumentException("a raw identifier's first key is the SHA-256 of its canonical spelling");
        }
    }

    /** The keys of the single spelling {@code canonical} in each of {@code forms}. */
    public static MatchKeys ofCanonical(String canonical, Set<HashForm> forms) {
        return ofSpellings(List.of(canonical), forms);
    }

    /**
     * The keys of {@code spellings} in each of {@code forms}; the first spelling is the canonical one, forwarded to
     * the ad side. A spelling given twice counts once.
     *
     * @throws IllegalArgumentException if {@code forms} lacks SHA-256 or {@code spellings} is empty
     */
    public static MatchKeys ofSpellings(Collection<String> spellings, Set<HashForm> forms) {
        if (!forms.contains(HashForm.SHA256)) {
            throw new IllegalArgumentException("a raw identifier is always matched in SHA-256");
        }
        List<Key> keys = new ArrayList<>(spellings.size() * forms.size());
        // Distinct spellings in their order, as a LinkedHashSet would give them; a handful, so a list is cheaper.
        List<String> distinct = new ArrayList<>(spellings.size());
        for (String spelling : spellings) {
            if (!containsEqual(distinct, spelling)) {
                distinct.add(spelling);
            }
        }
        for (String spelling : distinct) {
            for (HashForm form : FORMS) {
                if (forms.contains(form)) {
                    keys.add(new Key(form, form.hex(spelling)));
                }
            }
        }
        return new MatchKeys(keys, null);
    }

    private static final HashForm[] FORMS = HashForm.values();

    private static boolean containsEqual(List<String> list, String value) {
        for (int i = 0; i < list.size(); i++) {
            if (Objects.equals(list.get(i), value)) {
                return true;
            }
        }
        return false;
    }

    /**
     * These keys and {@code extra}, a key of another reading of the same raw input (an ad id written as 32 hex
     * digits may also be an MD5); the forwarded key stays the canonical spelling's.
     */
    public MatchKeys plus(Key extra) {
        if (arrivedAs != null) {
            throw new IllegalStateException("a hashed identifier has exactly the key it arrived as");
        }
        if (all.contains(extra)) {
            return this;
        }
        List<Key> keys = new ArrayList<>(all.size() + 1);
        keys.addAll(all);
        keys.add(extra);
        return new MatchKeys(keys, null);
    }

    /** The single key of an identifier that arrived as a digest. */
    public static MatchKeys ofDigest(HashForm form, String lowercaseHex) {
        return new MatchKeys(List.of(new Key(form, lowercaseHex)), form);
    }

    /** The key of the canonical spelling in {@code form}, or null if it is not known. */
    public String get(HashForm form) {
        for (Key key : all) {
            if (key.form() == form) {
                return key.hex();
            }
        }
        return null;
    }

    /** True if this identifier and {@code other} share a key: the same digest in the same form. */
    public boolean sharesKeyWith(MatchKeys other) {
        for (Key key : all) {
            if (other.all.contains(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The form forwarded to the ad side: SHA-256 for a raw identifier (what ad platforms match on), the arrival form
     * for a hashed one.
     */
    public HashForm forwardForm() {
        return all.get(0).form();
    }

    /** The key forwarded to the ad side, in {@link #forwardForm()}: that of the canonical spelling. */
    public String forwardKey() {
        return all.get(0).hex();
    }
}
