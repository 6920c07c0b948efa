package org.purposefirewall.campaign;

import org.purposefirewall.config.Topics;

/** The campaign's topic names: the shipped names under a prefix, so runs never meet. */
final class CampaignTopics {

    private CampaignTopics() {
    }

    static Topics prefixed(Topics t, String prefix) {
        return new Topics(prefix + t.contactPoints(), prefix + t.consent(), prefix + t.registrations(),
                prefix + t.audience(), prefix + t.quarantine(), prefix + t.suppressed(), prefix + t.deadLetter())
                .withRecalls(prefix + t.recalls()).withShadowDecisions(prefix + t.shadowDecisions());
    }
}
