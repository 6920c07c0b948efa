package org.purposefirewall.campaign;

import org.purposefirewall.app.PurposeFirewallMain;

/**
 * The firewall's own command line ({@link PurposeFirewallMain}, arguments unchanged) in a JVM whose in-memory registry
 * was first seeded by {@link CampaignSchemas#seed} with the scope named by {@code -Dcampaign.mock-scope}: the only
 * way separate processes can share {@code mock://} schema ids. With a real registry the campaign runs
 * {@link PurposeFirewallMain} itself.
 */
public final class FirewallLauncher {

    static final String SCOPE_PROPERTY = "campaign.mock-scope";

    private FirewallLauncher() {
    }

    public static void main(String[] args) {
        String scope = System.getProperty(SCOPE_PROPERTY);
        if (scope == null || scope.isBlank()) {
            System.err.println("FirewallLauncher needs -D" + SCOPE_PROPERTY + "=SCOPE");
            System.exit(2);
        }
        CampaignSchemas.seed(scope);
        PurposeFirewallMain.main(args);
    }
}
