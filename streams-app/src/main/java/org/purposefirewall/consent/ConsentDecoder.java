package org.purposefirewall.consent;

import com.iab.gpp.encoder.GppModel;
import com.iab.gpp.encoder.section.EncodableSection;
import com.iab.gpp.encoder.section.TcfEuV2;
import com.iab.gpp.encoder.section.UspV1;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Purpose;

/**
 * Decodes {@link ConsentSignals} into the {@link ConsentSnapshot} the decision reads.
 *
 * <p>Precedence: choices from every signal are merged with deny over allow at each purpose (and the decision's
 * deny-overrides rule applies across the taxonomy); every opt-out (explicit, GPC, a US section's sale, sharing or
 * targeted-advertising opt-out, US Privacy "opted out of sale") is kept and beats any grant. A signal that is
 * present but cannot be trusted (empty, malformed, expired, of an unsupported version, or a GPP string with no
 * section this firewall reads) makes the whole state a {@link ConsentSnapshot#problem() problem}: no consent, with
 * the reason. Thread-safe; never throws.
 */
public final class ConsentDecoder {

    /** GPP US section fields whose value 1 means "opted out" (0: not applicable, 2: did not opt out). */
    private static final String SALE_OPT_OUT = "SaleOptOut";
    private static final String SHARING_OPT_OUT = "SharingOptOut";
    private static final String TARGETED_OPT_OUT = "TargetedAdvertisingOptOut";
    private static final String GPC = "Gpc";
    private static final int OPTED_OUT = 1;
    /** The TC string core segment's fixed fields take 213 bits: at least 36 base64url characters. */
    private static final int MIN_TCF_CORE_CHARS = 36;

    private final TcfSettings tcf;

    public ConsentDecoder(TcfSettings tcf) {
        this.tcf = Objects.requireNonNull(tcf, "tcf");
    }

    public TcfSettings settings() {
        return tcf;
    }

    /** The consent state {@code signals} amount to. */
    public ConsentSnapshot decode(ConsentSignals signals) {
        State state = new State(signals);
        try {
            if (signals.tcfString() != null) {
                tcfString(signals.tcfString(), signals.effectiveTime(), state);
            }
            if (state.problem == null && signals.gppString() != null) {
                gppString(signals.gppString(), signals.effectiveTime(), state);
            }
        } catch (RuntimeException e) {
            // The IAB decoder decodes lazily: a malformed field can surface at any getter.
            state.fail("a consent string is malformed (" + e.getClass().getSimpleName() + ")");
        }
        return state.snapshot();
    }

    private void tcfString(String text, long effectiveTime, State state) {
        String s = text.strip();
        if (s.isEmpty()) {
            state.fail("the TCF string is empty");
            return;
        }
        int core = s.indexOf('.') < 0 ? s.length() : s.indexOf('.');
        if (core < MIN_TCF_CORE_CHARS) {
            // The IAB decoder reads missing bits as zeros; a string shorter than the core segment's fixed fields
            // would "decode" to invented values.
            state.fail("the TCF string is malformed: its core segment is shorter than a TC string's fixed fields");
            return;
        }
        TcfEuV2 section;
        try {
            section = new TcfEuV2(s);
            section.getPolicyVersion();
        } catch (RuntimeException e) {
            state.fail("the TCF string is malformed: not a TCF v2 TC string");
            return;
        }
        tcf(section, "the TCF string", effectiveTime, state);
    }

    private void tcf(TcfEuV2 section, String what, long effectiveTime, State state) {
        Integer policyVersion = section.getPolicyVersion();
        if (section.getVersion() != 2 || policyVersion == null
                || !tcf.supportedPolicyVersions().contains(policyVersion)) {
            state.fail(what + " has TCF policy version " + policyVersion + ", which this firewall does not read "
                    + "(supported: " + new TreeSet<>(tcf.supportedPolicyVersions()) + "; 4 = TCF 2.2, 5 = TCF 2.3)");
            return;
        }
        ZonedDateTime updated = section.getLastUpdated();
        if (updated == null) {
            state.fail(what + " has no last-updated time");
            return;
        }
        Duration age = Duration.between(updated.toInstant(), Instant.ofEpochMilli(effectiveTime));
        if (age.compareTo(tcf.maxAge()) > 0) {
            state.fail(what + " was last updated on " + DateTimeFormatter.ISO_LOCAL_DATE.format(updated)
                    + ", more than " + tcf.maxAge().toDays() + " days before the consent took effect: expired");
            return;
        }
        List<Boolean> consents = section.getPurposeConsents();
        boolean vendorsConsented = true;
        if (!tcf.requiredVendorIds().isEmpty()) {
            List<Integer> vendors = section.getVendorConsents();
            vendorsConsented = vendors != null && vendors.containsAll(tcf.requiredVendorIds());
        }
        for (Map.Entry<Integer, List<Purpose>> mapping : tcf.purposes().entrySet()) {
            int index = mapping.getKey() - 1;
            boolean granted = vendorsConsented && consents != null && index < consents.size()
                    && Boolean.TRUE.equals(consents.get(index));
            for (Purpose purpose : mapping.getValue()) {
                state.choose(purpose, granted ? ConsentChoice.GRANTED : ConsentChoice.DENIED);
            }
        }
    }

    private void gppString(String text, long effectiveTime, State state) {
        String s = text.strip();
        if (s.isEmpty()) {
            state.fail("the GPP string is empty");
            return;
        }
        GppModel model;
        List<Integer> ids;
        try {
            model = new GppModel(s);
            ids = model.getSectionIds();
        } catch (RuntimeException e) {
            state.fail("the GPP string is malformed: not a GPP string with a valid header");
            return;
        }
        boolean read = false;
        List<String> unread = new ArrayList<>();
        for (int id : ids) {
            EncodableSection section;
            try {
                section = model.getSection(id);
            } catch (RuntimeException e) {
                state.fail("the GPP string's section " + id + " is malformed");
                return;
            }
            if (section == null) {
                unread.add(String.valueOf(id));
                continue;
            }
            if (section instanceof TcfEuV2 eu) {
                tcf(eu, "the GPP string's EU TCF section", effectiveTime, state);
                read = true;
            } else if (section instanceof UspV1) {
                Object sale = section.getFieldValue("OptOutSale");
                if (sale instanceof Character c && (c == 'Y' || c == 'y')) {
                    state.optOutOfSale = true;
                }
                read = true;
            } else if (section.hasField(SALE_OPT_OUT) || section.hasField(TARGETED_OPT_OUT)) {
                // The US national section and every US state section share these fields.
                if (optedOut(section, SALE_OPT_OUT) || optedOut(section, SHARING_OPT_OUT)) {
                    state.optOutOfSale = true;
                }
                if (optedOut(section, TARGETED_OPT_OUT)) {
                    state.optOutOfTargetedAdvertising = true;
                }
                if (section.hasField(GPC) && Boolean.TRUE.equals(section.getFieldValue(GPC))) {
                    state.globalPrivacyControl = true;
                }
                read = true;
            } else {
                unread.add(section.getName());
            }
            if (state.problem != null) {
                return;
            }
        }
        if (!read) {
            state.fail("the GPP string holds no section this firewall reads (sections: " + unread
                    + "; read: EU TCF v2, US national, US states, US Privacy)");
        }
    }

    private static boolean optedOut(EncodableSection section, String field) {
        return section.hasField(field) && section.getFieldValue(field) instanceof Integer v && v == OPTED_OUT;
    }

    /** The state being built. */
    private static final class State {
        private final Map<Purpose, ConsentChoice> choices;
        private boolean optOutOfTargetedAdvertising;
        private boolean optOutOfSale;
        private boolean globalPrivacyControl;
        private String problem;

        State(ConsentSignals signals) {
            choices = new HashMap<>(signals.choices());
            optOutOfTargetedAdvertising = signals.optOutOfTargetedAdvertising();
            optOutOfSale = signals.optOutOfSale();
            globalPrivacyControl = signals.globalPrivacyControl();
        }

        void choose(Purpose purpose, ConsentChoice choice) {
            choices.merge(purpose, choice,
                    ConsentChoice::denyOverrides);
        }

        void fail(String reason) {
            if (problem == null) {
                problem = reason;
            }
        }

        ConsentSnapshot snapshot() {
            return new ConsentSnapshot(choices, optOutOfTargetedAdvertising, optOutOfSale, globalPrivacyControl,
                    problem);
        }
    }
}
