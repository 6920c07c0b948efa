package org.purposefirewall.consent;

import com.iab.gpp.encoder.GppModel;
import com.iab.gpp.encoder.field.TcfEuV2Field;
import com.iab.gpp.encoder.section.TcfEuV2;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Consent strings for tests, made by the IAB's own encoder (the same library the firewall decodes with, used the way
 * a CMP uses it). The encoder stamps created and last-updated with the current time.
 */
public final class ConsentStrings {

    private ConsentStrings() {
    }

    /** A TCF v2 TC string of {@code policyVersion} with consent to exactly {@code purposes} and {@code vendors}. */
    public static String tcf(int policyVersion, Set<Integer> purposes, List<Integer> vendors) {
        TcfEuV2 tcf = new TcfEuV2();
        fill(tcf, policyVersion, purposes, vendors);
        return tcf.encode();
    }

    /** A TCF 2.2 string with consent to {@code purposes}, vendors 12 and 755. */
    public static String tcf(Set<Integer> purposes) {
        return tcf(4, purposes, List.of(12, 755));
    }

    /** A GPP string with an EU TCF section of {@code policyVersion} consenting to {@code purposes}. */
    public static String gppWithTcf(int policyVersion, Set<Integer> purposes) {
        GppModel model = new GppModel();
        model.setFieldValue(TcfEuV2.NAME, TcfEuV2Field.POLICY_VERSION, policyVersion);
        model.setFieldValue(TcfEuV2.NAME, TcfEuV2Field.PURPOSE_CONSENTS, consents(purposes));
        model.setFieldValue(TcfEuV2.NAME, TcfEuV2Field.VENDOR_CONSENTS, List.of(12, 755));
        return model.encode();
    }

    /** A GPP string with one section's fields set, e.g. ("usnat", "SaleOptOut", 1). */
    public static String gpp(String section, Object... fieldValuePairs) {
        GppModel model = new GppModel();
        for (int i = 0; i < fieldValuePairs.length; i += 2) {
            model.setFieldValue(section, (String) fieldValuePairs[i], fieldValuePairs[i + 1]);
        }
        return model.encode();
    }

    private static void fill(TcfEuV2 tcf, int policyVersion, Set<Integer> purposes, List<Integer> vendors) {
        tcf.setFieldValue(TcfEuV2Field.POLICY_VERSION, policyVersion);
        tcf.setFieldValue(TcfEuV2Field.PURPOSE_CONSENTS, consents(purposes));
        tcf.setFieldValue(TcfEuV2Field.VENDOR_CONSENTS, vendors);
    }

    private static List<Boolean> consents(Set<Integer> purposes) {
        List<Boolean> consents = new ArrayList<>();
        for (int p = 1; p <= 24; p++) {
            consents.add(purposes.contains(p));
        }
        return consents;
    }
}
